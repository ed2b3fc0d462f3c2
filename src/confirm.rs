//! Typed confirmation of mutations in production: the one rule every changing action goes
//! through (the cohort override now; invite sends, ticks, votes and decisions as they arrive),
//! whether the name was typed into the cockpit's modal, a terminal prompt or `--confirm`.

use crate::config::Launch;

/// Why a mutation may not go ahead without (another) typed confirmation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfirmError {
    #[error(
        "{action} in production needs the launch name typed to confirm it: pass --confirm \"{launch}\" \
         (on a terminal gonogo asks for it)"
    )]
    Missing { action: String, launch: String },
    #[error(
        "{action} not confirmed: `{typed}` is not the launch name; type it exactly as in [launch] name: \"{launch}\""
    )]
    Mismatch {
        action: String,
        typed: String,
        launch: String,
    },
}

/// True when `launch` asks for typed confirmations (its environment is production).
pub fn needed(launch: &Launch) -> bool {
    launch.is_production()
}

/// The one comparison behind every confirmation, the cockpit's modal included: the launch name
/// exactly, surrounding spaces forgiven, case not.
pub fn name_matches(launch_name: &str, typed: &str) -> bool {
    let typed = typed.trim();
    !typed.is_empty() && typed == launch_name.trim()
}

/// Lets `action` (a phrase like "the cohort override") proceed: outside production always; in
/// production only when `typed` is the launch name exactly (surrounding spaces forgiven, case
/// not: the point is that a person read the name and typed it).
pub fn check(launch: &Launch, action: &str, typed: Option<&str>) -> Result<(), ConfirmError> {
    if !needed(launch) {
        return Ok(());
    }
    let name = launch.name.as_str();
    match typed.map(str::trim) {
        Some(t) if name_matches(name, t) => Ok(()),
        Some(t) if !t.is_empty() => Err(ConfirmError::Mismatch {
            action: action.to_owned(),
            typed: crate::text::sanitize_short(t, 80),
            launch: crate::text::sanitize(name),
        }),
        _ => Err(ConfirmError::Missing {
            action: action.to_owned(),
            launch: crate::text::sanitize(name),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{EnvString, Environment};

    fn launch(environment: Environment) -> Launch {
        Launch {
            name: EnvString("Veza v2 soft launch".into()),
            environment,
            decision_at: None,
            read_only: false,
        }
    }

    #[test]
    fn outside_production_nothing_is_asked() {
        for env in [
            Environment::Staging,
            Environment::Development,
            Environment::Demo,
        ] {
            assert_eq!(check(&launch(env), "the override", None), Ok(()));
        }
    }

    #[test]
    fn production_wants_the_launch_name_exactly() {
        let prod = launch(Environment::Production);
        assert!(matches!(
            check(&prod, "the override", None),
            Err(ConfirmError::Missing { .. })
        ));
        assert!(matches!(
            check(&prod, "the override", Some("  ")),
            Err(ConfirmError::Missing { .. })
        ));
        let wrong = check(&prod, "the override", Some("veza v2 soft launch")).unwrap_err();
        assert!(
            wrong.to_string().contains("\"Veza v2 soft launch\""),
            "{wrong}"
        );
        assert_eq!(
            check(&prod, "the override", Some(" Veza v2 soft launch ")),
            Ok(())
        );
    }
}
