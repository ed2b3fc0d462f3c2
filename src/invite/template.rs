//! The invitation template: a directory with `subject.txt`, `body.txt` and `body.html`,
//! rendered by minijinja with undefined variables as errors and the HTML part autoescaped.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub const SUBJECT: &str = "subject.txt";
pub const TEXT: &str = "body.txt";
pub const HTML: &str = "body.html";
/// The default invitation template, written beside the config where `[invites] template`
/// points; a file already there is kept.
pub const DEFAULT: [(&str, &str); 3] = [
    (
        SUBJECT,
        include_str!("../../assets/templates/beta_invite/subject.txt"),
    ),
    (
        TEXT,
        include_str!("../../assets/templates/beta_invite/body.txt"),
    ),
    (
        HTML,
        include_str!("../../assets/templates/beta_invite/body.html"),
    ),
];

/// `signup_url` from the config is a template too.
const SIGNUP: &str = "signup_url";

/// The values a template may use. Nothing else is defined: `{{ nmae }}` is an error.
#[derive(Debug, Clone, Serialize)]
pub struct Variables {
    pub email: String,
    pub name: String,
    pub cohort: String,
    pub code: String,
    pub expires_at: String,
    pub launch: String,
}

/// One recipient's message, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub signup_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template {}: {problem}", .dir.display())]
    Missing { dir: PathBuf, problem: String },
    #[error("{}{}: {message}", .file.display(), .line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Render {
        file: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{}: the template's own text leaves `{delimiter}` in the output (output line {line}): a template tag was not closed or was escaped", .file.display())]
    Leftover {
        file: PathBuf,
        delimiter: &'static str,
        line: usize,
    },
}

/// The three parts and the signup URL, parsed once; render per recipient.
pub struct Template {
    dir: PathBuf,
    env: Environment<'static>,
}

impl Template {
    /// Reads and parses the template directory. Syntax errors name the file and line.
    pub fn load(dir: &Path, signup_url: &str) -> Result<Template, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for name in [SUBJECT, TEXT, HTML] {
            let path = dir.join(name);
            let source = std::fs::read(&path).map_err(|e| TemplateError::Missing {
                dir: dir.to_path_buf(),
                problem: format!("cannot read {name}: {e}"),
            })?;
            let source = String::from_utf8(source).map_err(|_| TemplateError::Missing {
                dir: dir.to_path_buf(),
                problem: format!("{name} is not UTF-8"),
            })?;
            env.add_template_owned(name, source)
                .map_err(|e| render_error(dir, name, &e))?;
        }
        env.add_template_owned(SIGNUP, signup_url.to_owned())
            .map_err(|e| render_error(dir, SIGNUP, &e))?;
        let template = Template {
            dir: dir.to_path_buf(),
            env,
        };
        template.refuse_leftovers()?;
        Ok(template)
    }

    /// Refuses a template whose own text leaves `{{` or `{%` in the output (a tag escaped, or
    /// kept in a raw block): each part is rendered once with values free of delimiters, so
    /// what a recipient's data holds (a name with `{{`) is never taken for template syntax.
    fn refuse_leftovers(&self) -> Result<(), TemplateError> {
        let probe = context(&Variables {
            email: "probe@example.org".into(),
            name: "probe".into(),
            cohort: "probe".into(),
            code: "PROBE".into(),
            expires_at: "probe".into(),
            launch: "probe".into(),
        });
        let with_url =
            minijinja::context! { signup_url => "https://probe.invalid/", ..probe.clone() };
        for (name, values) in [
            (SIGNUP, probe),
            (SUBJECT, with_url.clone()),
            (TEXT, with_url.clone()),
            (HTML, with_url),
        ] {
            // A part that cannot render with these values fails per recipient, naming its line.
            let Ok(text) = self.env.get_template(name).and_then(|t| t.render(values)) else {
                continue;
            };
            for delimiter in ["{{", "{%"] {
                if let Some(at) = text.find(delimiter) {
                    return Err(TemplateError::Leftover {
                        file: self.file(name),
                        delimiter,
                        line: text[..at].matches('\n').count() + 1,
                    });
                }
            }
        }
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn render(&self, vars: &Variables) -> Result<Rendered, TemplateError> {
        let base = context(vars);
        let signup_url = self.part(SIGNUP, base.clone())?;
        // In the HTML part the link is escaped for an attribute but keeps its slashes:
        // minijinja's `&#x2f;` for `/` is valid HTML, yet an obfuscated-looking link is what
        // spam filters and link checkers flag.
        let html_context = minijinja::context! {
            signup_url => minijinja::Value::from_safe_string(attribute_escape(&signup_url)),
            ..base.clone()
        };
        let context = minijinja::context! { signup_url => signup_url.clone(), ..base };
        let subject = self.part(SUBJECT, context.clone())?;
        // A subject is one line: a template that breaks it gets its lines joined, never a
        // second header.
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Rendered {
            subject,
            text: self.part(TEXT, context.clone())?,
            html: self.part(HTML, html_context)?,
            signup_url,
        })
    }

    fn part(&self, name: &str, context: minijinja::Value) -> Result<String, TemplateError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| render_error(&self.dir, name, &e))?;
        template
            .render(context)
            .map_err(|e| render_error(&self.dir, name, &e))
    }

    fn file(&self, name: &str) -> PathBuf {
        if name == SIGNUP {
            PathBuf::from("[invites] signup_url")
        } else {
            self.dir.join(name)
        }
    }
}

/// The recipient's values, as data: whatever they hold is output, never parsed.
fn context(vars: &Variables) -> minijinja::Value {
    minijinja::context! {
        email => vars.email.clone(),
        name => vars.name.clone(),
        cohort => vars.cohort.clone(),
        code => vars.code.clone(),
        expires_at => vars.expires_at.clone(),
        launch => vars.launch.clone(),
    }
}

/// `&`, `<`, `>` and both quotes as entities: safe in text and in a quoted attribute.
fn attribute_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

fn render_error(dir: &Path, name: &str, e: &minijinja::Error) -> TemplateError {
    let file = if name == SIGNUP {
        PathBuf::from("[invites] signup_url")
    } else {
        dir.join(name)
    };
    let mut message = e.kind().to_string();
    if let Some(detail) = e.detail() {
        message = format!("{message}: {detail}");
    }
    TemplateError::Render {
        file,
        line: e.line(),
        message: crate::text::sanitize_short(&message, 300),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, subject: &str, text: &str, html: &str) {
        std::fs::write(dir.join(SUBJECT), subject).unwrap();
        std::fs::write(dir.join(TEXT), text).unwrap();
        std::fs::write(dir.join(HTML), html).unwrap();
    }

    fn vars() -> Variables {
        Variables {
            email: "ana@example.org".into(),
            name: "Ana <b>&".into(),
            cohort: "creator-fr".into(),
            code: "ABCDEFGHJKMNPQRS".into(),
            expires_at: "2026-12-31".into(),
            launch: "Veza beta".into(),
        }
    }

    #[test]
    fn renders_every_part_and_escapes_only_html() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "Your {{ launch }}\ninvite",
            "Hi {{ name }}, {{ signup_url }}\n",
            "<p>Hi {{ name }}</p><a href=\"{{ signup_url }}\">go</a>",
        );
        let t = Template::load(dir.path(), "https://x.test/signup?invite={{ code }}").unwrap();
        let r = t.render(&vars()).unwrap();
        assert_eq!(r.subject, "Your Veza beta invite");
        assert_eq!(
            r.text,
            "Hi Ana <b>&, https://x.test/signup?invite=ABCDEFGHJKMNPQRS"
        );
        assert!(r.html.contains("Hi Ana &lt;b&gt;&amp;"), "{}", r.html);
        assert!(
            r.html
                .contains("href=\"https://x.test/signup?invite=ABCDEFGHJKMNPQRS\""),
            "{}",
            r.html
        );
        let t = Template::load(dir.path(), "https://x.test/?a=1&b=\"{{ code }}").unwrap();
        let r = t.render(&vars()).unwrap();
        assert!(
            r.html
                .contains("https://x.test/?a=1&amp;b=&quot;ABCDEFGHJKMNPQRS"),
            "{}",
            r.html
        );
    }

    #[test]
    fn an_unknown_variable_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "s", "line one\n{{ nmae }}\n", "h");
        let t = Template::load(dir.path(), "u").unwrap();
        let e = t.render(&vars()).unwrap_err().to_string();
        assert!(e.contains("body.txt line 2"), "{e}");
        assert!(e.contains("undefined"), "{e}");
    }

    #[test]
    fn syntax_errors_and_missing_parts_are_reported_at_load() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "s", "t", "<p>\n{% if %}</p>");
        let e = Template::load(dir.path(), "u").err().unwrap().to_string();
        assert!(e.contains("body.html line 2"), "{e}");
        std::fs::remove_file(dir.path().join(SUBJECT)).unwrap();
        let e = Template::load(dir.path(), "u").err().unwrap().to_string();
        assert!(e.contains("cannot read subject.txt"), "{e}");
    }

    #[test]
    fn a_delimiter_the_template_leaves_is_refused_at_load() {
        let dir = tempfile::tempdir().unwrap();
        for (subject, text, html, file) in [
            ("s", "{{ '{{' }} code }}", "h", TEXT),
            ("{% raw %}{{ name }}{% endraw %}", "t", "h", SUBJECT),
            ("s", "t", "<p>\n{{ '{%' }} if %}</p>", HTML),
        ] {
            write(dir.path(), subject, text, html);
            let e = Template::load(dir.path(), "u").err().unwrap().to_string();
            assert!(e.contains(file) && e.contains("template's own text"), "{e}");
        }
        write(dir.path(), "s", "t", "h");
        let e = Template::load(dir.path(), "https://x.test/{{ '{{' }}")
            .err()
            .unwrap();
        assert!(e.to_string().contains("signup_url"), "{e}");
    }

    #[test]
    fn data_holding_template_syntax_is_rendered_as_data() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "Hi {{ name }}",
            "Hi {{ name }} ({{ cohort }})",
            "<p>{{ name }}</p>",
        );
        let t = Template::load(dir.path(), "https://x.test/?c={{ code }}").unwrap();
        for name in ["{{ code }}", "{% if x %}", "}}{{", "{#", "{{ '{{' }}"] {
            let r = t
                .render(&Variables {
                    name: name.into(),
                    cohort: "{%".into(),
                    ..vars()
                })
                .unwrap();
            assert_eq!(r.subject, format!("Hi {name}"));
            assert_eq!(r.text, format!("Hi {name} ({{%)"));
            assert!(!r.text.contains("ABCDEFGHJKMNPQRS"), "{}", r.text);
        }
    }
}
