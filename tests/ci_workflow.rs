//! The GitHub Actions workflow of README.md's "In CI": the block there is
//! `examples/github-workflow.yml` to the byte; check-jsonschema finds the
//! file valid against the GitHub workflow schema it ships (SchemaStore's),
//! and the file read with a YAML parser (ruamel.yaml, YAML 1.2 like GitHub's)
//! has the steps the README promises, in order. Both come with PyPI's
//! `check-jsonschema`, run by `python3` (`.ci/run` installs it); without it
//! these tests fail rather than skip, anywhere.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

const WORKFLOW: &str = "examples/github-workflow.yml";

fn workflow_path() -> PathBuf {
    common::repo().join(WORKFLOW)
}

/// The first `yaml` code block after the heading "In CI" of README.md.
fn readme_workflow() -> String {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
    let readme = std::fs::read_to_string(common::repo().join("README.md")).expect("README.md");
    let (mut in_heading, mut in_section, mut in_block) = (false, false, false);
    let mut block = String::new();
    for event in Parser::new(&readme) {
        match event {
            Event::Start(Tag::Heading { .. }) => in_heading = true,
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Text(text) if in_heading => in_section = &*text == "In CI",
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang)))
                if in_section && &*lang == "yaml" =>
            {
                in_block = true;
            }
            Event::Text(text) if in_block => block.push_str(&text),
            Event::End(TagEnd::CodeBlock) if in_block => return block,
            _ => {}
        }
    }
    panic!("README.md has no yaml block under \"In CI\"");
}

/// Runs `python3 args…`; no python3 fails the test.
fn python3(args: &[&str]) -> std::process::Output {
    Command::new("python3")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3: {e}"))
}

/// The workflow file as ruamel.yaml reads it, through JSON.
fn parsed_workflow() -> Value {
    let script = "import json, sys\n\
                  from ruamel.yaml import YAML\n\
                  with open(sys.argv[1], encoding='utf-8') as f:\n\
                  \x20   print(json.dumps(YAML(typ='safe', pure=True).load(f)))\n";
    let out = python3(&["-c", script, common::arg(&workflow_path())]);
    assert!(
        out.status.success(),
        "ruamel.yaml cannot read {WORKFLOW} (`python3 -m pip install check-jsonschema` \
         installs it):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from python3")
}

#[test]
fn the_readme_shows_the_workflow_file() {
    let file = std::fs::read_to_string(workflow_path()).expect("the workflow file");
    assert_eq!(readme_workflow(), file);
}

#[test]
fn check_jsonschema_finds_a_valid_github_workflow() {
    let out = python3(&[
        "-m",
        "check_jsonschema",
        "--builtin-schema",
        "vendor.github-workflows",
        common::arg(&workflow_path()),
    ]);
    assert!(
        out.status.success(),
        "(`python3 -m pip install check-jsonschema` if it is missing)\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_workflow_builds_and_uploads_the_book() {
    let workflow = parsed_workflow();
    for event in ["push", "pull_request"] {
        assert!(
            workflow["on"].get(event).is_some(),
            "on: {}",
            workflow["on"]
        );
    }
    let jobs = workflow["jobs"].as_object().expect("jobs");
    assert_eq!(jobs.len(), 1, "one job: {jobs:?}");
    let steps = jobs.values().next().unwrap()["steps"]
        .as_array()
        .expect("steps");
    // The index of the first step that `uses` an action / runs a script
    // with every one of `words`.
    let uses = |action: &str| {
        steps.iter().position(|step| {
            step["uses"]
                .as_str()
                .is_some_and(|uses| uses.split('@').next() == Some(action))
        })
    };
    let runs = |words: &[&str]| {
        steps.iter().position(|step| {
            step["run"]
                .as_str()
                .is_some_and(|run| words.iter().all(|word| run.contains(word)))
        })
    };
    let order = [
        ("checkout", uses("actions/checkout")),
        ("install", runs(&["cargo", "install", "warraq"])),
        (
            "build",
            runs(&[
                "export SOURCE_DATE_EPOCH=\"$(git log -1 --format=%ct)\"",
                "warraq build --strict --message-format json",
            ]),
        ),
        ("upload", uses("actions/upload-artifact")),
    ];
    let found: Vec<usize> = order
        .iter()
        .map(|(name, at)| at.unwrap_or_else(|| panic!("no {name} step: {steps:#?}")))
        .collect();
    assert!(found.is_sorted(), "steps out of order: {order:?}");
    let upload = &steps[found[3]]["with"];
    let paths: Vec<&str> = upload["path"]
        .as_str()
        .expect("with: path")
        .lines()
        .collect();
    assert_eq!(paths, ["out/*.epub", "out/*.pdf"]);
    assert_eq!(upload["if-no-files-found"], "error");
}
