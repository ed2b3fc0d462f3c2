//! `gonogo alerts test` and `gonogo alerts list` from the command line: the receiver's answer
//! printed, exit codes, and usage errors.

mod support;

use support::cli::{Env, run};
use support::receiver::{Answer, Receiver, serve};

const GATE: &str = "[[gate]]\nid = \"a\"\nsource = \"file_age\"\npath = \"/\"\npass = \"> 0s\"\n";

#[test]
fn a_test_alert_prints_the_receivers_answer() {
    let receiver = Receiver::new("cli-secret", vec![Answer::Status(200, "paged alice")]);
    let port = serve(receiver.clone()).port();
    let env = Env::new();
    let path = env.write_config(&format!(
        "[alerts]\nwebhook_url = \"http://127.0.0.1:{port}/hook\"\nsigning_secret = \"cli-secret\"\n\n{GATE}"
    ));
    let (code, out, err) = run(
        &env,
        &[
            "--config",
            path.to_str().unwrap(),
            "alerts",
            "test",
            "--severity",
            "info",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("receiver answered: HTTP 200 after 1 attempt"),
        "{out}"
    );
    assert!(out.contains("answer: paged alice"), "{out}");
    assert!(out.contains("delivered, signed"), "{out}");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].signature_ok);
    assert_eq!(seen[0].body["severity"], "info");
    assert_eq!(seen[0].body["metadata"]["test"], true);
}

#[test]
fn usage_and_config_errors_are_said() {
    let env = Env::new();
    let path = env.write_config(GATE);
    let config = path.to_str().unwrap();
    let (code, _, err) = run(&env, &["--config", config, "alerts", "test"]);
    assert_eq!(code, Some(78), "{err}");
    assert!(err.contains("no webhook to test"), "{err}");
    let (code, _, err) = run(
        &env,
        &["--config", config, "alerts", "test", "--severity", "loud"],
    );
    assert_eq!(code, Some(64), "{err}");
    assert!(err.contains("not a severity"), "{err}");
    let (code, _, err) = run(
        &env,
        &["--config", config, "alerts", "list", "--since", "soon"],
    );
    assert_eq!(code, Some(64), "{err}");
    let (code, _, err) = run(&env, &["--config", config, "alerts", "list"]);
    assert_eq!(code, Some(78), "no [postgres]: {err}");
    assert!(err.contains("[postgres]"), "{err}");
}
