#!/usr/bin/env python3
"""A real SMTP server on loopback for gonogo's tests (aiosmtpd 1.4.6).

Prints its port on stdout's first line, then serves until killed (or, with
--exit-on-stdin-eof, until its parent closes stdin). Each message it accepts is
stored in --dir as <n>.json (envelope: mail_from, rcpt_tos, received_at) then
<n>.eml (the message bytes exactly as received, dot-unstuffed), each written to a
temporary name and renamed, so a reader that sees <n>.eml also sees <n>.json.
Every reply the rules decide is appended to <dir>/log.jsonl. Every connection
opened and closed is appended to <dir>/sessions.log ("open" / "close"), so a
test can wait until the server has been quiet.

Rules, matched on the recipient address (case-insensitive; "*" matches any
recipient without a rule of its own), from --rule ADDR=RULE or --rules FILE.json
({"addr": "rule", ...}):
  rcpt451once            451 at RCPT the first time the address is seen, then accept
  rcpt451 / rcpt550      always 451 / 550 at RCPT
  data451 / data550      451 / 550 after the body (nothing stored)
  drop_after_data        store the body, then close the connection without replying
  stall_after_data:SECS  store the body, wait SECS, then reply 250
  stall_rcpt:SECS        wait SECS at RCPT (logged as stage rcpt_wait), then accept
With --echo-auth accept|refuse the server offers AUTH without TLS (only the
mechanisms --auth-mechanisms names, default PLAIN LOGIN) and quotes the
client's credential back in its reply, base64 as sent and the password decoded
(a server that echoes the exchange): 235 (accept, and quoted again in each
250 after DATA) or 535 (refuse). Each AUTH is
logged with stage "auth".
While the file <dir>/REFUSE exists ("refuse_all"), every new connection gets 421
instead of the greeting and every RCPT gets 421 and the connection closed.
"""

import argparse
import asyncio
import base64
import json
import os
import sys
import threading
import time

from aiosmtpd.smtp import SMTP

PLAIN_RULES = {"rcpt451once", "rcpt451", "rcpt550", "data451", "data550", "drop_after_data"}
TIMED_RULES = {"stall_after_data", "stall_rcpt"}
DATA_RULES = {"data451", "data550", "drop_after_data", "stall_after_data"}
REFUSE_REPLY = "421 4.3.2 Service not available, closing transmission channel (test refuse_all)"


def parse_rule(text):
    """'stall_rcpt:2.5' -> ('stall_rcpt', 2.5); 'rcpt550' -> ('rcpt550', 0.0)."""
    name, _, seconds = text.strip().partition(":")
    if name in PLAIN_RULES and not seconds:
        return name, 0.0
    if name in TIMED_RULES and seconds:
        try:
            value = float(seconds)
        except ValueError:
            value = -1.0
        if value >= 0:
            return name, value
    raise ValueError(f"unknown rule {text!r} (rules: {sorted(PLAIN_RULES)}, "
                     f"{sorted(t + ':SECONDS' for t in TIMED_RULES)})")


def printable(address):
    """Envelope text as valid UTF-8 (aiosmtpd keeps undecodable bytes as surrogates)."""
    return address.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def write_atomic(path, data):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


async def hang_up(server):
    """Closes the connection without a reply; connection_lost then cancels this session."""
    server.transport.close()
    await asyncio.Event().wait()


class Handler:
    def __init__(self, directory, rules, echo_auth=None):
        self.dir = directory
        self.rules = rules
        self.echo_auth = echo_auth
        self.refuse_path = os.path.join(directory, "REFUSE")
        self.seen = set()
        self.stored = 0
        self.log_file = open(os.path.join(directory, "log.jsonl"), "a", buffering=1)
        self.sessions_file = open(os.path.join(directory, "sessions.log"), "a", buffering=1)

    def session_event(self, what):
        self.sessions_file.write(what + "\n")

    def refusing(self):
        return os.path.exists(self.refuse_path)

    def rule_for(self, address):
        return self.rules.get(address.lower()) or self.rules.get("*")

    def log(self, stage, address, reply, rule=None):
        line = {"at": time.time(), "stage": stage, "addr": printable(address),
                "code": int(reply[:3]), "rule": rule}
        self.log_file.write(json.dumps(line) + "\n")

    def store(self, envelope):
        self.stored += 1
        n = self.stored
        meta = {"n": n, "mail_from": printable(envelope.mail_from or ""),
                "rcpt_tos": [printable(r) for r in envelope.rcpt_tos],
                "received_at": time.time()}
        write_atomic(os.path.join(self.dir, f"{n}.json"), json.dumps(meta).encode())
        write_atomic(os.path.join(self.dir, f"{n}.eml"), envelope.original_content)
        return n

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing():
            self.log("rcpt", address, REFUSE_REPLY, "refuse_all")
            await server.push(REFUSE_REPLY)
            await hang_up(server)
        rule = self.rule_for(address)
        name, seconds = rule if rule else (None, 0.0)
        key = address.lower()
        first_time = key not in self.seen
        self.seen.add(key)
        reply = None
        if name == "rcpt451" or (name == "rcpt451once" and first_time):
            reply = "451 4.3.0 Mailbox temporarily unavailable, try again later (test rule)"
        elif name == "rcpt550":
            reply = "550 5.1.1 Mailbox unavailable: no such user (test rule)"
        elif name == "stall_rcpt":
            # Logged before the wait, so a test knows the client is mid-transaction.
            self.log("rcpt_wait", address, "000 waiting before the reply", name)
            await asyncio.sleep(seconds)
        if reply is None:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
            reply = "250 2.1.5 Ok"
        self.log("rcpt", address, reply, name)
        return reply

    async def handle_DATA(self, server, session, envelope):
        name, seconds, address = None, 0.0, ""
        for rcpt in envelope.rcpt_tos:
            rule = self.rule_for(rcpt)
            if rule and rule[0] in DATA_RULES:
                (name, seconds), address = rule, rcpt
                break
        if name == "data451":
            reply = "451 4.3.0 Local error in processing, try again later (test rule)"
            self.log("data", address, reply, name)
            return reply
        if name == "data550":
            reply = "550 5.7.1 Message content rejected (test rule)"
            self.log("data", address, reply, name)
            return reply
        n = self.store(envelope)
        if name == "drop_after_data":
            self.log("data", address, "000 connection closed without a reply", name)
            await hang_up(server)
        if name == "stall_after_data":
            await asyncio.sleep(seconds)
        reply = f"250 2.0.0 Ok: queued as {n}"
        if getattr(session, "echoed_credential", None):
            reply += f" for {session.echoed_credential}"
        self.log("data", envelope.rcpt_tos[0] if envelope.rcpt_tos else "", reply, name)
        return reply


async def echo_credential(server, session, args):
    """AUTH PLAIN / LOGIN, answered with the credential quoted back."""
    mechanism = args[0].upper()
    if mechanism == "PLAIN":
        sent = args[1] if len(args) > 1 else base64.b64encode(
            await server.challenge_auth("")).decode()
        password = base64.b64decode(sent).split(b"\x00")[-1]
    else:
        user = await server.challenge_auth("Username:")
        password = await server.challenge_auth("Password:")
        sent = base64.b64encode(user).decode() + " " + base64.b64encode(password).decode()
    shown = f"{sent} (password {password.decode(errors='replace')})"
    if server.event_handler.echo_auth == "accept":
        session.authenticated = True
        session.echoed_credential = shown
        reply = f"235 2.7.0 Accepted {shown}"
    else:
        reply = f"535 5.7.8 Credentials {shown} invalid"
    server.event_handler.log("auth", "", reply, mechanism)
    return reply


class TestSMTP(SMTP):
    def connection_made(self, transport):
        self.event_handler.session_event("open")
        super().connection_made(transport)

    def connection_lost(self, error):
        super().connection_lost(error)
        self.event_handler.session_event("close")

    async def smtp_AUTH(self, arg):
        if self.event_handler.echo_auth and arg and arg.split()[0].upper() in self._auth_methods:
            await self.push(await echo_credential(self, self.session, arg.split()))
            return
        await super().smtp_AUTH(arg)

    async def _handle_client(self):
        if self.event_handler.refusing():
            self.event_handler.log("connect", "", REFUSE_REPLY, "refuse_all")
            await self.push(REFUSE_REPLY)
            self.transport.close()
            return
        await super()._handle_client()


def load_rules(args):
    rules = {}
    if args.rules:
        with open(args.rules, encoding="utf-8") as f:
            for address, text in json.load(f).items():
                rules[address.lower()] = parse_rule(text)
    for item in args.rule:
        address, sep, text = item.partition("=")
        if not sep:
            raise ValueError(f"--rule {item!r}: expected ADDR=RULE")
        rules[address.strip().lower()] = parse_rule(text)
    return rules


def watch_parent():
    """Exits when the parent closes our stdin (it ended, even by SIGKILL)."""
    sys.stdin.buffer.read()
    os._exit(0)


async def serve(args, handler):
    loop = asyncio.get_running_loop()

    excluded = [m for m in ("PLAIN", "LOGIN") if m not in args.auth_mechanisms.split()]

    def session():
        return TestSMTP(handler, hostname="gonogo-test-smtp",
                        ident="gonogo test SMTP (aiosmtpd 1.4.6)",
                        enable_SMTPUTF8=True, decode_data=False,
                        timeout=args.idle_timeout, loop=loop,
                        auth_require_tls=not handler.echo_auth,
                        auth_exclude_mechanism=excluded)

    server = await loop.create_server(session, host="127.0.0.1", port=args.port)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="where received messages are stored")
    parser.add_argument("--port", type=int, default=0, help="0: an ephemeral port")
    parser.add_argument("--rule", action="append", default=[], metavar="ADDR=RULE")
    parser.add_argument("--rules", metavar="FILE.json")
    parser.add_argument("--refuse-all", action="store_true", help="start in refuse_all mode")
    parser.add_argument("--idle-timeout", type=float, default=300.0)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    parser.add_argument("--echo-auth", choices=["accept", "refuse"])
    parser.add_argument("--auth-mechanisms", default="PLAIN LOGIN")
    args = parser.parse_args()
    try:
        rules = load_rules(args)
    except (OSError, ValueError) as e:
        print(f"smtp_server.py: {e}", file=sys.stderr)
        sys.exit(2)
    os.makedirs(args.dir, exist_ok=True)
    handler = Handler(args.dir, rules, args.echo_auth)
    if args.refuse_all:
        open(handler.refuse_path, "w").close()
    if args.exit_on_stdin_eof:
        threading.Thread(target=watch_parent, daemon=True).start()
    asyncio.run(serve(args, handler))


if __name__ == "__main__":
    main()
