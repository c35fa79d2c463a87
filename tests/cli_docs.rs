//! The command line documents itself: `--help` of every command has an
//! example, `--version` names the version, and the shell completions and
//! manual pages made from the same definition are read by bash and groff.

use crate::common;

use std::process::Output;

fn warraq(args: &[&str]) -> Output {
    common::warraq().args(args).output().expect("run warraq")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The commands the CLI has, from its own `--help` (the lines of its
/// "Commands:" list).
fn commands() -> Vec<String> {
    let help = stdout(&warraq(&["--help"]));
    let list = help.split("Commands:").nth(1).expect("a list of commands");
    list.lines()
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|word| *word != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn every_command_has_help_with_an_example() {
    let commands = commands();
    for expected in ["build", "check", "completions", "man"] {
        assert!(commands.iter().any(|c| c == expected), "{commands:?}");
    }
    for command in &commands {
        let help = stdout(&warraq(&[command, "--help"]));
        assert!(help.contains("Example: `warraq "), "{command}:\n{help}");
    }
    let version = stdout(&warraq(&["--version"]));
    assert_eq!(
        version.trim(),
        format!("warraq {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bash_reads_the_completion_script() {
    if !common::have_tools(&["bash"]) {
        return;
    }
    let script = stdout(&warraq(&["completions", "bash"]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("warraq.bash");
    std::fs::write(&path, &script).unwrap();
    // Syntax, then the words it offers after `warraq `.
    common::run_ok("bash", &["-n", common::arg(&path)]);
    let offered = common::run_ok(
        "bash",
        &[
            "-c",
            &format!(
                "source {}; COMP_WORDS=(warraq ''); COMP_CWORD=1; _warraq warraq '' warraq; \
                 printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                common::arg(&path)
            ),
        ],
    );
    for command in commands() {
        assert!(
            offered.lines().any(|w| w == command),
            "{command} not offered:\n{offered}"
        );
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        assert!(
            !stdout(&warraq(&["completions", shell])).is_empty(),
            "{shell}"
        );
    }
}

#[test]
fn groff_reads_the_manual_pages() {
    if !common::have_tools(&["groff"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    stdout(&warraq(&["man", "--out-dir", common::arg(dir.path())]));
    let mut pages = vec!["warraq.1".to_string()];
    pages.extend(commands().iter().map(|c| format!("warraq-{c}.1")));
    for page in &pages {
        let path = dir.path().join(page);
        assert!(path.is_file(), "no {page}");
        let output = std::process::Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-P-cbou"])
            .arg(&path)
            .output()
            .unwrap();
        let warnings = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && warnings.trim().is_empty(),
            "{page}: {warnings}"
        );
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("SYNOPSIS"), "{page}:\n{text}");
    }
    // The page printed alone is the first of them.
    let alone = stdout(&warraq(&["man"]));
    assert_eq!(
        alone,
        std::fs::read_to_string(dir.path().join("warraq.1")).unwrap()
    );
}
