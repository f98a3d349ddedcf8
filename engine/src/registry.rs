//! The set of loaded plugins and the lookup of algorithms by id.

use std::fmt;

use boundlab_sdk::Value;
use boundlab_sdk::abi::{AlgorithmInfo, PluginInfo, PluginModule_Ref, closest_matches};

use crate::error::EngineError;

/// Where a plugin came from.
#[derive(Debug, Clone, PartialEq)]
pub enum PluginSource {
    /// Linked into the program.
    Static,
    /// Loaded from a shared library.
    File(std::path::PathBuf),
}

impl fmt::Display for PluginSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PluginSource::Static => f.write_str("linked in"),
            PluginSource::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A plugin the engine can call.
#[derive(Clone)]
pub struct LoadedPlugin {
    pub info: PluginInfo,
    pub module: PluginModule_Ref,
    pub source: PluginSource,
}

impl LoadedPlugin {
    /// Asks the module for its description.
    pub fn from_module(
        module: PluginModule_Ref,
        source: PluginSource,
    ) -> Result<Self, EngineError> {
        let info = module.info()()
            .into_result()
            .map_err(|error| EngineError::Load {
                path: source.to_string().into(),
                reason: format!("the plugin failed to describe itself: {error}"),
            })?;
        for algorithm in info.algorithms.iter() {
            for param in algorithm.params.iter() {
                if !crate::script::convert::is_bare_map_key(&param.name) {
                    tracing::warn!(
                        "`{}`: parameter `{}` is not a name a script can write bare (a Rhai keyword, or not an identifier); scripts must quote it: #{{ \"{}\": ... }}",
                        algorithm.id,
                        param.name,
                        param.name
                    );
                }
            }
        }
        Ok(Self {
            info,
            module,
            source,
        })
    }

    pub fn name(&self) -> &str {
        self.info.name.as_str()
    }
}

/// What to do when a plugin's name is already taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDuplicate {
    /// The new plugin replaces the old one (an explicit `--plugin` overrides a linked-in one).
    Replace,
    /// Keep the old one and report an error.
    Refuse,
}

/// The loaded plugins, in load order.
#[derive(Default, Clone)]
pub struct Registry {
    plugins: Vec<LoadedPlugin>,
}

impl Registry {
    pub fn add(
        &mut self,
        plugin: LoadedPlugin,
        on_duplicate: OnDuplicate,
    ) -> Result<(), EngineError> {
        if let Some(index) = self.plugins.iter().position(|p| p.name() == plugin.name()) {
            match on_duplicate {
                OnDuplicate::Replace => {
                    tracing::info!(
                        "plugin `{}` from {} replaces the one from {}",
                        plugin.name(),
                        plugin.source,
                        self.plugins[index].source
                    );
                    self.plugins[index] = plugin;
                    return Ok(());
                }
                OnDuplicate::Refuse => {
                    return Err(EngineError::DuplicatePlugin {
                        name: plugin.name().to_string(),
                        first: self.plugins[index].source.to_string(),
                        second: plugin.source.to_string(),
                    });
                }
            }
        }
        self.plugins.push(plugin);
        Ok(())
    }

    pub fn plugins(&self) -> &[LoadedPlugin] {
        &self.plugins
    }

    /// Every algorithm with the plugin that provides it, in load order.
    pub fn algorithms(&self) -> impl Iterator<Item = (&LoadedPlugin, &AlgorithmInfo)> {
        self.plugins
            .iter()
            .flat_map(|p| p.info.algorithms.iter().map(move |a| (p, a)))
    }

    /// Finds algorithm `id`; an unknown id comes back with the closest known ids.
    pub fn resolve(&self, id: &str) -> Result<(&LoadedPlugin, &AlgorithmInfo), EngineError> {
        if let Some(found) = self.algorithms().find(|(_, a)| a.id.as_str() == id) {
            return Ok(found);
        }
        let ids: Vec<&str> = self.algorithms().map(|(_, a)| a.id.as_str()).collect();
        Err(EngineError::UnknownAlgorithm {
            id: id.to_string(),
            suggestions: closest_matches(id, ids, 3)
                .into_iter()
                .map(String::from)
                .collect(),
        })
    }

    /// A human-readable description of algorithm `id`: summary, plugin, parameters.
    pub fn describe_text(&self, id: &str) -> Result<String, EngineError> {
        let (plugin, info) = self.resolve(id)?;
        let mut out = format!(
            "{} — {}\nplugin: {} {} ({})\nparameters:\n",
            info.id, info.summary, plugin.info.name, plugin.info.version, plugin.source
        );
        if info.params.is_empty() {
            out.push_str("  (none)\n");
        }
        let width = info.params.iter().map(|p| p.name.len()).max().unwrap_or(0);
        for p in info.params.iter() {
            let default = match (&p.default, p.required) {
                // `Value`'s Display: floats in shortest round-trip form (`1e-10`).
                (abi_stable::std_types::ROption::RSome(v), _) => format!("= {v}"),
                (_, true) => "required".to_string(),
                _ => "optional".to_string(),
            };
            out.push_str(&format!(
                "  {:width$}  {:8} {:16} {}\n",
                p.name,
                p.kind.name(),
                default,
                p.doc
            ));
        }
        Ok(out)
    }

    /// Describes algorithm `id` as a value (what scripts get from `describe(id)`).
    pub fn describe_value(&self, id: &str) -> Result<Value, EngineError> {
        let (plugin, info) = self.resolve(id)?;
        let params: Vec<Value> = info
            .params
            .iter()
            .map(|p| {
                let mut m = boundlab_sdk::ValueMap::new()
                    .with("name", p.name.as_str())
                    .with("kind", p.kind.name())
                    .with("required", p.required)
                    .with("doc", p.doc.as_str());
                if let abi_stable::std_types::ROption::RSome(d) = &p.default {
                    m.insert("default", d.clone());
                }
                Value::Map(m)
            })
            .collect();
        Ok(Value::Map(
            boundlab_sdk::ValueMap::new()
                .with("id", info.id.as_str())
                .with("summary", info.summary.as_str())
                .with("plugin", plugin.info.name.as_str())
                .with("version", plugin.info.version.as_str())
                .with("params", params),
        ))
    }
}
