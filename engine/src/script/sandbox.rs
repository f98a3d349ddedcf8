//! Module resolution confined to the script's folder.

use std::path::{Path, PathBuf};

use rhai::module_resolvers::FileModuleResolver;
use rhai::{Engine, EvalAltResult, Module, ModuleResolver, Position, Shared};

type SharedModule = Shared<Module>;

/// Resolves `import "name"` to `name.rhai` under the script's folder (relative to the
/// importing file), and refuses any path that leaves the folder.
pub struct ConfinedResolver {
    root: PathBuf,
    files: FileModuleResolver,
}

impl ConfinedResolver {
    pub fn new(root: &Path) -> Self {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        Self {
            files: FileModuleResolver::new_with_path(&root),
            root,
        }
    }

    fn locate(&self, source: Option<&str>, path: &str) -> Result<PathBuf, String> {
        let requested = Path::new(path);
        if requested.is_absolute() {
            return Err(format!(
                "import {path:?} is refused: modules are imported by relative path from the script's folder {}",
                self.root.display()
            ));
        }
        let base = source
            .map(Path::new)
            .and_then(Path::parent)
            .filter(|p| p.is_absolute())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.root.clone());
        let mut file = base.join(requested);
        if file.extension().is_none() {
            file.set_extension("rhai");
        }
        let real = file
            .canonicalize()
            .map_err(|_| format!("module {path:?} not found (looked for {})", file.display()))?;
        if !real.starts_with(&self.root) {
            return Err(format!(
                "import {path:?} is refused: it lies outside the script's folder {}",
                self.root.display()
            ));
        }
        Ok(real)
    }
}

impl ModuleResolver for ConfinedResolver {
    fn resolve(
        &self,
        engine: &Engine,
        source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<SharedModule, Box<EvalAltResult>> {
        let file = self
            .locate(source, path)
            .map_err(|message| Box::new(EvalAltResult::ErrorRuntime(message.into(), pos)))?;
        self.files
            .resolve(engine, None, &file.to_string_lossy(), pos)
    }
}
