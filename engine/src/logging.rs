//! Re-emitting plugin log lines as `tracing` events whose target is the plugin's name.
//!
//! `tracing` macros need a target known at compile time, so each (plugin, level) pair gets a
//! callsite created at run time (leaked once: there are a handful per plugin) and registered
//! with `tracing`, which makes filters such as `BOUNDLAB_LOG=sdp=debug` work for plugins too.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use tracing::callsite::{Callsite, Identifier};
use tracing::field::FieldSet;
use tracing::metadata::Kind;
use tracing::subscriber::Interest;
use tracing::{Level, Metadata};

use boundlab_sdk::LogLevel;

/// The environment variable with the log filter (`tracing_subscriber::EnvFilter` syntax).
pub const LOG_FILTER_VAR: &str = "BOUNDLAB_LOG";

struct PluginCallsite {
    metadata: OnceLock<Metadata<'static>>,
}

impl Callsite for PluginCallsite {
    fn set_interest(&self, _interest: Interest) {}

    fn metadata(&self) -> &Metadata<'_> {
        self.metadata
            .get()
            .expect("metadata is set before registration")
    }
}

fn callsite(target: &str, level: Level) -> &'static PluginCallsite {
    static CALLSITES: OnceLock<Mutex<HashMap<(String, Level), &'static PluginCallsite>>> =
        OnceLock::new();
    let mut map = CALLSITES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = map.get(&(target.to_string(), level)) {
        return found;
    }
    let leaked_target: &'static str = Box::leak(target.to_string().into_boxed_str());
    let site: &'static PluginCallsite = Box::leak(Box::new(PluginCallsite {
        metadata: OnceLock::new(),
    }));
    let fields = FieldSet::new(&["message"], Identifier(site));
    let metadata = Metadata::new(
        "plugin log",
        leaked_target,
        level,
        None,
        None,
        None,
        fields,
        Kind::EVENT,
    );
    site.metadata.set(metadata).ok();
    tracing::callsite::register(site);
    map.insert((target.to_string(), level), site);
    site
}

fn tracing_level(level: LogLevel) -> Level {
    match level {
        LogLevel::Trace => Level::TRACE,
        LogLevel::Debug => Level::DEBUG,
        LogLevel::Info => Level::INFO,
        LogLevel::Warn => Level::WARN,
        LogLevel::Error => Level::ERROR,
    }
}

/// Emits `message` at `level` with `target` (the plugin's name) as the event's target.
pub fn emit(target: &str, level: LogLevel, message: &str) {
    let level = tracing_level(level);
    if level > tracing::level_filters::LevelFilter::current() {
        return;
    }
    let site = callsite(target, level);
    let metadata = site.metadata();
    tracing::dispatcher::get_default(|dispatch| {
        if dispatch.enabled(metadata) {
            let fields = metadata.fields();
            let field = fields
                .field("message")
                .expect("the callsite declares `message`");
            let text = format_args!("{message}");
            let values = [(&field, Some(&text as &dyn tracing::Value))];
            dispatch.event(&tracing::Event::new(metadata, &fields.value_set(&values)));
        }
    });
}

/// Installs the command-line subscriber: human-readable lines on stderr, filtered by
/// `$BOUNDLAB_LOG` (default `info`). Does nothing if a subscriber is already set.
pub fn init_cli_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env(LOG_FILTER_VAR)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tracing_subscriber::layer::SubscriberExt;

    /// Collects (target, message) of every event.
    #[derive(Clone, Default)]
    struct Collect(Arc<Mutex<Vec<(String, String)>>>);

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Collect {
        fn on_event(
            &self,
            event: &tracing::Event<'_>,
            _ctx: tracing_subscriber::layer::Context<'_, S>,
        ) {
            struct Message(String);
            impl tracing::field::Visit for Message {
                fn record_debug(
                    &mut self,
                    _field: &tracing::field::Field,
                    value: &dyn std::fmt::Debug,
                ) {
                    self.0 = format!("{value:?}");
                }
            }
            let mut message = Message(String::new());
            event.record(&mut message);
            self.0
                .lock()
                .unwrap()
                .push((event.metadata().target().to_string(), message.0));
        }
    }

    #[test]
    fn plugin_messages_carry_the_plugin_name_as_target_and_respect_filters() {
        let collect = Collect::default();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_subscriber::EnvFilter::new("info,noisy=warn"))
            .with(collect.clone());
        tracing::subscriber::with_default(subscriber, || {
            emit("sdp", LogLevel::Info, "iteration 3");
            emit("noisy", LogLevel::Info, "hidden");
            emit("noisy", LogLevel::Warn, "shown");
            emit("sdp", LogLevel::Debug, "hidden too");
        });
        let seen = collect.0.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![
                ("sdp".to_string(), "iteration 3".to_string()),
                ("noisy".to_string(), "shown".to_string())
            ]
        );
    }
}
