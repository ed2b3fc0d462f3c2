//! Reading a task-list Markdown file with pulldown-cmark: headings make the (nested) sections,
//! `- [ ]` / `- [x]` items (nested ones included) the items, an HTML comment at an item's end
//! its bindings. Problems name the file's line.

use super::binding::parse_comments;
use super::{Checklist, ChecklistError, Item, item_key, short_id};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::path::Path;

/// Short ids are this long, longer only where two items would share one.
const ID_LEN: usize = 8;
/// An item's text is cut to this many characters.
const TEXT_LIMIT: usize = 500;

/// Reads and parses the file at `path`.
pub fn load(path: &Path, known_gates: &[&str]) -> Result<Checklist, ChecklistError> {
    let shown = crate::text::sanitize(&path.display().to_string());
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ChecklistError::Missing {
            path: shown.clone(),
        },
        _ => ChecklistError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        },
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..valid]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        ChecklistError::NotUtf8 {
            path: shown.clone(),
            line,
            byte: e.as_bytes().get(valid).copied().unwrap_or(0),
        }
    })?;
    parse(&text, &shown, known_gates)
}

/// An item being read: its text so far, its comments, and whether a nested list ended its text.
struct Open {
    offset: usize,
    depth: usize,
    task: Option<bool>,
    text: String,
    html: String,
    /// A nested list began: what follows belongs to the nested items.
    text_done: bool,
    /// Inside a code block: its lines are not the item's text.
    in_code: bool,
}

/// Parses checklist text; `file` names it in errors.
pub fn parse(text: &str, file: &str, known_gates: &[&str]) -> Result<Checklist, ChecklistError> {
    let lines = LineIndex::new(text);
    let mut problems: Vec<(usize, String)> = Vec::new();
    let title = document_title(text);
    let mut headings: Vec<(HeadingLevel, String)> = Vec::new();
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut open: Vec<Open> = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    let mut sections: Vec<Vec<String>> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut skipped_title = false;

    let parser = Parser::new_ext(text, Options::ENABLE_TASKLISTS).into_offset_iter();
    for (event, range) in parser {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, name)) = heading.take() {
                    let name = clean(&name);
                    if title.is_some() && !skipped_title && level == HeadingLevel::H1 {
                        skipped_title = true;
                        continue;
                    }
                    while headings.last().is_some_and(|(l, _)| *l >= level) {
                        headings.pop();
                    }
                    headings.push((level, name));
                }
            }
            Event::Start(Tag::Item) => open.push(Open {
                offset: range.start,
                depth: open.len(),
                task: None,
                text: String::new(),
                html: String::new(),
                text_done: false,
                in_code: false,
            }),
            Event::Start(Tag::CodeBlock(_)) => {
                if let Some(item) = open.last_mut() {
                    item.in_code = true;
                }
            }
            Event::End(TagEnd::CodeBlock) | Event::End(TagEnd::Paragraph) => {
                // Blocks inside an item are separate words, not glued together.
                if let Some(item) = open.last_mut() {
                    item.in_code = false;
                    item.text.push(' ');
                }
            }
            Event::Start(Tag::List(_)) => {
                if let Some(parent) = open.last_mut() {
                    parent.text_done = true;
                }
            }
            Event::TaskListMarker(checked) => {
                if let Some(item) = open.last_mut() {
                    item.task = Some(checked);
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                if let Some((_, name)) = heading.as_mut() {
                    name.push_str(&t);
                } else if let Some(item) = open.last_mut().filter(|i| !i.text_done && !i.in_code) {
                    item.text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(item) = open.last_mut().filter(|i| !i.text_done) {
                    item.text.push(' ');
                }
            }
            Event::InlineHtml(h) | Event::Html(h) => {
                if let Some(item) = open.last_mut().filter(|i| !i.text_done) {
                    item.html.push_str(&h);
                }
            }
            Event::End(TagEnd::Item) => {
                let Some(done) = open.pop() else { continue };
                let Some(checked) = done.task else { continue };
                let line = lines.line_of(done.offset);
                let section: Vec<String> = headings.iter().map(|(_, h)| h.clone()).collect();
                let shown = crate::text::cut(&clean(&done.text), TEXT_LIMIT);
                if shown.is_empty() {
                    problems.push((line, "a task-list item without text".to_owned()));
                    continue;
                }
                let binding = match parse_comments(&done.html, known_gates) {
                    Ok(b) => b,
                    Err(why) => {
                        problems.push((line, why));
                        continue;
                    }
                };
                let key = item_key(&section, &shown);
                if let Some(first) = seen.get(&key) {
                    problems.push((
                        line,
                        format!(
                            "duplicate item: the same section and text as line {first} (`{}`)",
                            crate::text::cut(&shown, 60)
                        ),
                    ));
                    continue;
                }
                seen.insert(key.clone(), line);
                if sections.last() != Some(&section) && !sections.contains(&section) {
                    sections.push(section.clone());
                }
                items.push(Item {
                    id: short_id(&key, ID_LEN),
                    key,
                    section,
                    text: shown,
                    line,
                    depth: done.depth,
                    done_in_file: checked,
                    gate: binding.gate,
                    due: binding.due,
                    role: binding.role,
                });
            }
            _ => {}
        }
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(ChecklistError::Invalid {
            path: file.to_owned(),
            problems,
        });
    }
    lengthen_shared_ids(&mut items);
    // Nested items close before their parents: file order is line order.
    items.sort_by_key(|i| i.line);
    Ok(Checklist {
        file: file.to_owned(),
        title,
        sections,
        items,
    })
}

/// Two items whose short ids collide get longer ones.
fn lengthen_shared_ids(items: &mut [Item]) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for item in items.iter() {
        *count.entry(item.id.clone()).or_default() += 1;
    }
    for item in items.iter_mut() {
        if count.get(&item.id).copied().unwrap_or(0) > 1 {
            item.id = short_id(&item.key, 16);
        }
    }
}

/// The document's title: its first heading when that is the only `#` heading in the file.
fn document_title(text: &str) -> Option<String> {
    let mut first: Option<(HeadingLevel, String)> = None;
    let mut h1 = 0;
    let mut current: Option<(HeadingLevel, String)> = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => current = Some((level, String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, name)) = current.as_mut() {
                    name.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(level)) => {
                if level == HeadingLevel::H1 {
                    h1 += 1;
                }
                if first.is_none() {
                    first = current.take();
                }
                current = None;
            }
            _ => {}
        }
    }
    match first {
        Some((HeadingLevel::H1, name)) if h1 == 1 => Some(clean(&name)),
        _ => None,
    }
}

/// Text as shown: control characters stripped, runs of whitespace one space.
fn clean(text: &str) -> String {
    crate::text::sanitize(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Byte offset to 1-based line.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# Plan\n\n## T-72h\n\n### Database\n\n- [ ] Migration applied <!-- gate: testers, due: T-72h -->\n- [x] Backup *fresh*\n  - [ ] Nested `check`\n- plain bullet\n\n## D-day\n\n- [ ] Send <!-- role: tech lead -->\n";

    #[test]
    fn sections_items_and_bindings() {
        let c = parse(TEXT, "c.md", &["testers"]).unwrap();
        assert_eq!(c.title.as_deref(), Some("Plan"));
        assert_eq!(
            c.sections,
            vec![
                vec!["T-72h".to_owned(), "Database".to_owned()],
                vec!["D-day".to_owned()]
            ]
        );
        let texts: Vec<(&str, usize, usize, bool)> = c
            .items
            .iter()
            .map(|i| (i.text.as_str(), i.line, i.depth, i.done_in_file))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("Migration applied", 7, 0, false),
                ("Backup fresh", 8, 0, true),
                ("Nested check", 9, 1, false),
                ("Send", 14, 0, false),
            ]
        );
        assert_eq!(c.items[0].gate.as_deref(), Some("testers"));
        assert_eq!(c.items[3].role.as_deref(), Some("tech lead"));
    }

    #[test]
    fn identity_survives_reordering_and_reformatting() {
        let a = parse(TEXT, "c.md", &["testers"]).unwrap();
        let moved = "## T-72h\n### Database\n- [x]   backup   **FRESH**\n- [ ] Migration applied <!-- gate: testers -->\n";
        let b = parse(moved, "c.md", &["testers"]).unwrap();
        assert_eq!(b.items[0].key, a.items[1].key);
        assert_eq!(b.items[0].id, a.items[1].id);
        assert_eq!(b.items[1].id, a.items[0].id);
    }

    #[test]
    fn duplicates_and_bad_bindings_name_their_lines() {
        let text = "## A\n- [ ] One\n- [ ] one\n- [ ] Two <!-- gate: nope -->\n";
        let Err(ChecklistError::Invalid { problems, .. }) = parse(text, "c.md", &["testers"])
        else {
            panic!("expected problems");
        };
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].0, 3);
        assert!(problems[0].1.contains("line 2"), "{problems:?}");
        assert_eq!(problems[1].0, 4);
        assert!(problems[1].1.contains("unknown gate `nope`"));
        let e = parse(text, "c.md", &["testers"]).unwrap_err().to_string();
        assert!(e.starts_with("checklist c.md:3: duplicate item"), "{e}");
    }
}
