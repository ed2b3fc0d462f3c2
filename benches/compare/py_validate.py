"""The Python approach an operator would otherwise run: the csv module and the
`email-validator` package (pip install email-validator), duplicates and distribution.
Usage: python3 py_validate.py FILE   (exit 0 clean, 1 malformed/duplicate, 2 warnings)."""

import csv
import sys

from email_validator import EmailNotValidError, validate_email


def main(path: str) -> int:
    seen: dict[str, int] = {}
    bad = dup = valid = 0
    labels: dict[str, int] = {}
    groups: dict[str, int] = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [h.strip().lower() for h in next(reader)]
        ei, ci = header.index("email"), header.index("cohort")
        for row in reader:
            line = reader.line_num
            if len(row) != len(header):
                bad += 1
                continue
            email, label = row[ei], row[ci].strip()
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError as e:
                bad += 1
                print(f"line {line}: malformed {email!r}: {e}", file=sys.stderr)
                continue
            key = email.lower()
            if key in seen:
                dup += 1
                print(f"line {line}: duplicate of line {seen[key]}", file=sys.stderr)
                continue
            seen[key] = line
            if not label:
                bad += 1
                continue
            valid += 1
            labels[label] = labels.get(label, 0) + 1
            group = label.split("-", 1)[0].lower()
            groups[group] = groups.get(group, 0) + 1
    print(f"{valid} valid rows, {bad} malformed, {dup} duplicates, {len(labels)} labels")
    for g, n in sorted(groups.items()):
        print(f"  {g} {n}")
    if bad or dup:
        return 1
    if valid < 50 or groups.get("creator", 0) < 5 or len(labels) < 3:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
