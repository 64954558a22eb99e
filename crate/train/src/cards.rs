//! The model cards' prose lives in Markdown beside the crate (`crate/train/cards/`): a template
//! per kind of card with `{{name}}` holes for what the trainer measures, and each task model's own
//! paragraphs (its summary, training data and hand analysis) as parts of one file, so that the
//! words can be edited as Markdown and the code only measures.

/// The template of a task model's card.
pub const TASK_CARD: &str = include_str!("../cards/task-card.md");
/// The template of the induction model's card.
pub const INDUCTION_CARD: &str = include_str!("../cards/induction-2l.md");

/// `template` with each `{{name}}` replaced by its value, and its first line dropped when it is a
/// comment for the reader of the template (`<!-- … -->`) together with the blank line after it.
/// Panics on a hole without a value: the templates are the crate's own, so that is a bug here.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let body = match template.strip_prefix("<!--") {
        Some(rest) => rest.split_once("-->\n").map_or(template, |(_, after)| after.strip_prefix('\n').unwrap_or(after)),
        None => template,
    };
    let mut out = body.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{{{name}}}}}"), value);
    }
    if let Some(at) = out.find("{{") {
        panic!("card template: no value for {}", &out[at..out[at..].find("}}").map_or(out.len(), |e| at + e + 2)]);
    }
    out
}

/// The part of a model's prose file after `<!-- name -->`, up to the next such marker, trimmed.
/// Panics when the part is missing (the files are the crate's own).
pub fn part<'a>(prose: &'a str, name: &str) -> &'a str {
    let marker = format!("<!-- {name} -->");
    let start = prose.find(&marker).unwrap_or_else(|| panic!("card prose: no part {name}")) + marker.len();
    let rest = &prose[start..];
    rest[..rest.find("\n<!-- ").unwrap_or(rest.len())].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_are_filled_and_the_readers_comment_dropped() {
        let t = "<!-- for the reader -->\n\n# {{id}}\n\n{{a}} and {{a}}\n";
        assert_eq!(fill(t, &[("id", "x".into()), ("a", "1".into())]), "# x\n\n1 and 1\n");
    }

    #[test]
    #[should_panic(expected = "no value for {{b}}")]
    fn a_hole_without_a_value_is_a_bug() {
        fill("{{a}} {{b}}", &[("a", String::new())]);
    }

    #[test]
    fn every_template_hole_is_known_and_every_prose_part_is_there() {
        for id in ["ioi", "greater-than", "docstring-4l"] {
            let prose = prose_of(id);
            for name in ["summary", "training data", "analysis"] {
                assert!(!part(prose, name).is_empty(), "{id}: {name}");
            }
        }
        assert!(part(prose_of("docstring-4l"), "varied shape").starts_with("The task's rows"));
    }

    fn prose_of(id: &str) -> &'static str {
        match id {
            "ioi" => include_str!("../cards/ioi.md"),
            "greater-than" => include_str!("../cards/greater-than.md"),
            _ => include_str!("../cards/docstring-4l.md"),
        }
    }
}
