//! Builds the shared-library plugins the tests load: the `testkit` plugin, the same plugin
//! built against an sdk copy with another ABI version, and the plugin template copied out of
//! the repository (as a user would). Built once per test binary, in debug mode, in a target
//! folder shared by all test binaries so that dependencies compile once.

#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn work_dir() -> PathBuf {
    repo_root().join("target").join("test-plugins")
}

fn cdylib_name(crate_name: &str) -> String {
    let stem = crate_name.replace('-', "_");
    if cfg!(target_os = "windows") {
        format!("{stem}.dll")
    } else if cfg!(target_os = "macos") {
        format!("lib{stem}.dylib")
    } else {
        format!("lib{stem}.so")
    }
}

/// `cargo build` of the crate at `dir` into the shared target folder; returns the library path.
fn cargo_build(dir: &Path, crate_name: &str) -> PathBuf {
    let target = work_dir().join("target");
    // Reuse the workspace's resolved versions so the build needs no registry look-up.
    std::fs::copy(repo_root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "-j2", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building {} failed", dir.display());
    target.join("debug").join(cdylib_name(crate_name))
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn plugin_manifest(name: &str, sdk: &Path) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.3.0"
edition = "2024"

[workspace]

[lib]
crate-type = ["cdylib"]
path = "lib.rs"

[dependencies]
boundlab-sdk = {{ path = "{}" }}
"#,
        sdk.display()
    )
}

fn testkit_source() -> String {
    std::fs::read_to_string(repo_root().join("engine/tests/support/testkit.rs")).unwrap()
}

/// The testkit plugin as a shared library.
pub fn testkit_plugin() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = work_dir().join("testkit");
        write(
            &dir.join("Cargo.toml"),
            &plugin_manifest("testkit-plugin", &repo_root().join("sdk")),
        );
        write(&dir.join("lib.rs"), &testkit_source());
        cargo_build(&dir, "testkit-plugin")
    })
}

/// The testkit plugin built against a copy of the sdk whose ABI version is 999.
pub fn abi_mismatch_plugin() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let sdk_copy = work_dir().join("sdk-abi999");
        copy_dir(&repo_root().join("sdk"), &sdk_copy);
        let module = sdk_copy.join("src/module.rs");
        let text = std::fs::read_to_string(&module).unwrap();
        let patched = text.replace(
            "pub const ABI_VERSION: u32 = ",
            "pub const ABI_VERSION: u32 = 999; const _OLD: u32 = ",
        );
        assert_ne!(text, patched, "the ABI constant was found");
        std::fs::write(&module, patched).unwrap();
        // Standalone crates: drop the workspace inheritance of the copied manifests (the sdk and
        // its derive macro, which the copy's manifest finds by path).
        for manifest in [
            sdk_copy.join("Cargo.toml"),
            sdk_copy.join("derive/Cargo.toml"),
        ] {
            let text = std::fs::read_to_string(&manifest).unwrap();
            let text = text
                .replace("rust-version.workspace = true", "")
                .replace("version.workspace = true", "version = \"0.1.0\"")
                .replace("license.workspace = true", "")
                .replace("abi_stable.workspace = true", "abi_stable = \"=0.11.3\"")
                .replace(
                    "serde.workspace = true",
                    "serde = { version = \"1\", features = [\"derive\"] }",
                )
                .replace("ron.workspace = true", "ron = \"0.12\"")
                .replace("serde_json.workspace = true", "serde_json = \"1\"");
            std::fs::write(&manifest, text + "\n[workspace]\n").unwrap();
        }
        let dir = work_dir().join("abi999");
        write(
            &dir.join("Cargo.toml"),
            &plugin_manifest("abi999-plugin", &sdk_copy),
        );
        write(&dir.join("lib.rs"), &testkit_source());
        cargo_build(&dir, "abi999-plugin")
    })
}

/// The plugin template copied out of the repository and built the way its README says.
pub fn template_out_of_tree() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = work_dir().join("my-plugin");
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&repo_root().join("examples/plugin-template"), &dir);
        let _ = std::fs::remove_dir_all(dir.join("target"));
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        let sdk = repo_root().join("sdk");
        let manifest = manifest.replace(
            "path = \"../../sdk\"",
            &format!("path = \"{}\"", sdk.display()),
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
        cargo_build(&dir, "boundlab-plugin-template")
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == "Cargo.lock" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// The code blocks of `fence` (e.g. "```toml") in the section of `markdown` under `heading`.
fn code_blocks(markdown: &str, heading: &str, fence: &str) -> Vec<String> {
    let start = markdown
        .find(heading)
        .unwrap_or_else(|| panic!("the README has a section {heading:?}"));
    let section = &markdown[start + heading.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .split(fence)
        .skip(1)
        .map(|block| block[..block.find("```").expect("a closed block")].to_string())
        .collect()
}

/// The plugin of the template README's "From an empty crate" section, made exactly from the
/// `Cargo.toml` and `src/lib.rs` shown there (the sdk path filled in), as a reader would.
pub fn readme_plugin() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let readme =
            std::fs::read_to_string(repo_root().join("examples/plugin-template/README.md"))
                .unwrap();
        let heading = "## From an empty crate";
        let manifest = code_blocks(&readme, heading, "```toml\n").remove(0);
        let source = code_blocks(&readme, heading, "```rust\n").remove(0);
        let sdk = repo_root().join("sdk");
        let manifest = manifest.replace(
            "path = \"/path/to/boundlab/sdk\"",
            &format!("path = \"{}\"", sdk.display()),
        );
        assert!(
            manifest.contains(&sdk.display().to_string()),
            "the sdk path was found"
        );
        let dir = work_dir().join("readme-plugin");
        let _ = std::fs::remove_dir_all(&dir);
        // Inside this repository's folder, as the README says for that case.
        write(&dir.join("Cargo.toml"), &(manifest + "\n[workspace]\n"));
        write(&dir.join("src/lib.rs"), &source);
        cargo_build(&dir, "my-plugin")
    })
}
