//! Secrets on a command line (`--password=…`): found to be registered and warned about, and
//! masked wherever the command is described, since `ps` shows every argument to every user.

use super::REDACTED;

/// A command line with the secrets it passes as option values: `--password=…`,
/// `--password …`, `--auth-token=…`, ssmtp's `-ap …`. What names where a secret comes from
/// (`--passwordeval`, `--password-file`, `--token-cmd`) is not a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSecrets {
    /// The arguments as they may be shown, each secret value replaced by `[redacted]`.
    pub shown: Vec<String>,
    /// The secret values themselves, to register and to warn about.
    pub secrets: Vec<String>,
    /// The login the command passes (`--user=…`, ssmtp's `-au …`), for the SMTP AUTH forms
    /// the command may send the secret in.
    pub user: Option<String>,
}

pub fn command_secrets(argv: &[String]) -> CommandSecrets {
    let mut found = CommandSecrets {
        shown: Vec::with_capacity(argv.len()),
        secrets: Vec::new(),
        user: None,
    };
    let mut args = argv.iter().peekable();
    while let Some(arg) = args.next() {
        let Some(option) = arg.strip_prefix('-') else {
            found.shown.push(arg.clone());
            continue;
        };
        let (name, value) = match option.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (option, None),
        };
        let bare = name.trim_start_matches('-');
        if !is_secret_option(bare) {
            if matches!(bare, "user" | "username" | "au") {
                found.user = value
                    .map(str::to_owned)
                    .or_else(|| argv.iter().skip_while(|a| *a != arg).nth(1).cloned());
            }
            found.shown.push(arg.clone());
            continue;
        }
        match value {
            Some(value) => {
                found.shown.push(format!("-{name}={REDACTED}"));
                found.secrets.push(value.to_owned());
            }
            None => {
                found.shown.push(arg.clone());
                if let Some(value) = args.next_if(|next| !next.starts_with('-')) {
                    found.shown.push(REDACTED.to_owned());
                    found.secrets.push(value.clone());
                }
            }
        }
    }
    found.secrets.retain(|s| !s.is_empty());
    found
}

fn is_secret_option(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let names_a_secret = ["pass", "secret", "token"]
        .iter()
        .any(|w| lower.contains(w));
    let says_where_from = ["eval", "file", "cmd", "command", "fd", "env"]
        .iter()
        .any(|w| lower.ends_with(w));
    lower == "ap" || (names_a_secret && !says_where_from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_options_of_a_command_are_found_and_masked() {
        let argv = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        for (cmd, secrets, shown) in [
            (
                "msmtp -t --password=hunter2",
                vec!["hunter2"],
                "msmtp -t --password=[redacted]",
            ),
            (
                "sendmail --passwd hunter2 -t",
                vec!["hunter2"],
                "sendmail --passwd [redacted] -t",
            ),
            (
                "ssmtp -au me -ap hunter2 -t",
                vec!["hunter2"],
                "ssmtp -au me -ap [redacted] -t",
            ),
            (
                "x --auth-token=t0k --client-secret s3c",
                vec!["t0k", "s3c"],
                "x --auth-token=[redacted] --client-secret [redacted]",
            ),
            (
                "msmtp -t --passwordeval=pass-show --auth=on",
                vec![],
                "msmtp -t --passwordeval=pass-show --auth=on",
            ),
            (
                "x --password-file /run/p --password",
                vec![],
                "x --password-file /run/p --password",
            ),
        ] {
            let found = command_secrets(&argv(cmd));
            assert_eq!(found.secrets, secrets, "{cmd}");
            if cmd.starts_with("ssmtp") {
                assert_eq!(found.user.as_deref(), Some("me"), "{cmd}");
            }
            assert_eq!(found.shown.join(" "), shown, "{cmd}");
        }
    }
}
