#!/usr/bin/env bash
# The seed's send-invitations.sh step 1, as it was written: per recipient one psql INSERT (its
# own transaction) returning the code, then the .eml rendered from the template into out-dir.
# Code and rendering use bash builtins only, so the loop is timed at its fastest.
# Usage: seed_prepare.sh DATABASE_URL COHORT.csv OUT_DIR
set -u
db="$1"; csv="$2"; out="$3"
mkdir -p "$out"
alphabet=ABCDEFGHJKMNPQRSTUVWXYZ23456789
failed=0
{
    read -r _header
    while IFS=, read -r email cohort name _sent_by; do
        code=""
        for _ in $(seq 1 16); do code+="${alphabet:RANDOM%31:1}"; done
        if ! got=$(psql "$db" -qtAX -v ON_ERROR_STOP=1 -c \
            "INSERT INTO beta_invites (code, email, cohort) VALUES ('$code', '$email', '$cohort') RETURNING code"); then
            echo "insert failed: $email" >&2; failed=$((failed + 1)); continue
        fi
        printf 'To: %s <%s>\nFrom: Veza Beta <beta@veza.fr>\nSubject: %s, your invitation\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHello %s,\nYour code: %s\nhttps://veza.fr/signup?invite=%s\n' \
            "$name" "$email" "$name" "$name" "$got" "$got" > "$out/$email.eml"
    done
} < "$csv"
exit $((failed > 0))
