//! The plugins linked into boundlab's front ends (the `boundlab` binary, the Python package):
//! the four first-party families and the plugin template (the third-party example the
//! quickstart calls). A plugin loaded from a file with the same name replaces the linked-in one.

use boundlab_sdk::abi::PluginModule_Ref;

/// The root modules of the linked-in plugins, in a fixed order.
pub fn modules() -> [PluginModule_Ref; 5] {
    [
        boundlab_plugin_template::plugin_module(),
        boundlab_sdp::plugin_module(),
        boundlab_alsketch::plugin_module(),
        boundlab_surrogate::plugin_module(),
        boundlab_mecb::plugin_module(),
    ]
}

#[cfg(test)]
mod tests {
    use boundlab_engine::script::convert::is_bare_map_key;

    /// Every first-party parameter can be written bare in a script map (issue 18: `export`, a
    /// Rhai keyword, had to be quoted). Old names kept for one release are exempt.
    #[test]
    fn no_linked_in_parameter_is_a_rhai_keyword() {
        for module in super::modules() {
            let info = module.info()().into_result().unwrap();
            for algorithm in info.algorithms.iter() {
                for param in algorithm.params.iter() {
                    assert!(
                        is_bare_map_key(&param.name),
                        "`{}`: parameter `{}` must be quoted in scripts",
                        algorithm.id,
                        param.name
                    );
                }
            }
        }
    }

    /// The parameter schemas `describe` shows, one line per parameter: name, kind, default
    /// (or required/optional), old names and doc. Compared with `schemas.txt`, written from the
    /// hand-written schemas before `#[derive(Params)]` replaced them (issue 14), so a changed
    /// name, kind, default or doc shows up as a diff. `BLESS=1` rewrites the file after a
    /// deliberate change (say which in the commit).
    #[test]
    fn describe_shows_the_recorded_schemas() {
        let mut text = String::new();
        for module in super::modules() {
            let info = module.info()().into_result().unwrap();
            for algorithm in info.algorithms.iter() {
                text.push_str(&format!("{}\n", algorithm.id));
                for p in algorithm.params.iter() {
                    let default = match (p.default.clone().into_option(), p.required) {
                        (Some(v), _) => format!("= {v}"),
                        (None, true) => "required".into(),
                        (None, false) => "optional".into(),
                    };
                    let old: Vec<&str> = p.old_names.iter().map(|n| n.as_str()).collect();
                    text.push_str(&format!(
                        "  {} {} {} [{}] {}\n",
                        p.name,
                        p.kind.name(),
                        default,
                        old.join(", "),
                        p.doc
                    ));
                }
            }
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas.txt");
        if std::env::var_os("BLESS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let recorded =
            std::fs::read_to_string(&path).expect("tests/schemas.txt (BLESS=1 writes it)");
        for (line, (now, then)) in text.lines().zip(recorded.lines()).enumerate() {
            assert_eq!(now, then, "schemas.txt line {}", line + 1);
        }
        assert_eq!(
            text.lines().count(),
            recorded.lines().count(),
            "number of lines"
        );
    }
}
