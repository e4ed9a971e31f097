"""The check every assistant answer passes before it leaves: cited references must exist, stated
prices and stock must match live data (wrong ones are corrected), an out-of-stock watch is never
recommended without saying so, and the system prompt is never quoted back.

The check works sentence by sentence, so an answer can be streamed while the model writes it: a
sentence leaves only once it is complete and grounded. A whole answer is grounded the same way."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from commerce.catalog import repo as catalog_repo
from db.pool import Pool

# Seiko references: letters then digits then letters/digits, e.g. SRPD55K1, SSH067J1, SBGW231.
REFERENCE = re.compile(r"\b([A-Z]{2,5}\d{2,4}[A-Z0-9]{0,3})\b")
PRICE_NEAR = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})*(?:\.\d{2})?|\d+(?:\.\d{2})?)")
# An amount the shopper set as a limit ("under $600", "a budget of $600") is not a watch's price.
BUDGET_BEFORE = re.compile(r"(under|below|less than|up to|within|budget( of)?|max(imum)?|at most|no more than|over"
                           r"|above|more than|at least|around|about|between|spend(ing)?|cap( of)?|limit( of)?|your"
                           r"|between\s*\$\s?[\d,.]+\s*and)\s*$", re.IGNORECASE)
# A sentence ends at . ! or ? followed by whitespace, or at a line break.
BOUNDARY = re.compile(r"(?<=[.!?])[ \t]+|[ \t]*\n\s*")
# A stretch of the system prompt this long, repeated in a sentence, is a leak; shorter ones are
# ordinary phrases ("Thank you.") that any answer may share with it.
LEAK_MIN_CHARS = 40

# What a stream consumer receives: ("text", grounded piece) or ("reset", "") when everything sent so
# far is void (the provider failed mid-answer, or the turn turned out to call tools).
Emit = Callable[[str, str], Awaitable[None]]


@dataclass
class Grounded:
    text: str
    cited: list[dict[str, Any]]
    corrections: list[str] = field(default_factory=list)


class Grounder:
    """Grounds an answer fed in pieces; `emit` (optional) receives each grounded sentence as it completes.

    It is also the loop's text sink: `text()` takes model deltas, `discard()` voids the turn so far."""

    def __init__(self, pool: Pool, *, system_prompt: str, emit: Emit | None = None) -> None:
        self.pool = pool  # a connection is borrowed per lookup, never held while the model writes
        self.emit = emit
        self.secret_lines = [line.strip() for line in system_prompt.splitlines()
                             if len(line.strip()) >= LEAK_MIN_CHARS]
        self._watches: dict[str, dict[str, Any] | None] = {}  # live rows by reference (None: unknown)
        self._reset_state()

    def _reset_state(self) -> None:
        self.raw = ""  # what the model wrote in this turn
        self._pending = ""  # the incomplete sentence at the end of `raw`
        self._pieces: list[str] = []  # grounded sentences with their separators
        self._cited: list[str] = []
        self._dropped_real: list[str] = []  # real watches named only in sentences that had to go
        self.corrections: list[str] = []

    async def text(self, delta: str) -> None:
        self.raw += delta
        self._pending += delta
        while match := BOUNDARY.search(self._pending):
            sentence, self._pending = self._pending[:match.start()], self._pending[match.end():]
            await self._sentence(sentence, "\n" if "\n" in match.group() else " ")

    async def discard(self) -> None:
        had_output = bool(self._pieces)
        self._reset_state()
        if had_output and self.emit is not None:
            await self.emit("reset", "")

    async def finish(self, final_text: str) -> Grounded:
        """The whole answer grounded. `final_text` is the run's answer: normally exactly what was streamed;
        otherwise (the offline policy answered, or a stream that was cut) it replaces the stream."""
        if not final_text.startswith(self.raw):
            await self.discard()
        await self.text(final_text[len(self.raw):])
        if self._pending.strip():
            await self._sentence(self._pending, "")
        self._pending = ""
        if not "".join(self._pieces).strip() and self._dropped_real:
            # Never an empty answer when something true remains: the real watches, at their live price.
            for ref in dict.fromkeys(self._dropped_real):
                watch = self._watches[ref]
                assert watch is not None
                stock = f"{watch['stock_available']} in stock" if watch["stock_available"] else "out of stock"
                await self._out(f"{watch['name']} ({ref}): ${Decimal(watch['price']):,.2f}, {stock}.\n")
                self._cited.append(ref)
            self.corrections.append("kept only the real watches of an answer that named watches that do not exist")
        for ref in self._cited:
            watch = self._watches[ref]
            # "...", within one sentence; a decimal point in a price does not end it.
            same_sentence = r"(?:[^.\n]|\.\d)*"
            if watch is not None and watch["stock_available"] == 0 and not re.search(
                    rf"{ref}{same_sentence}out of stock|out of stock{same_sentence}{ref}", "".join(self._pieces), re.I):
                await self._out(f"\n\nNote: {ref} is currently out of stock.")
                self.corrections.append(f"added that {ref} is out of stock")
        cited = [{"reference": ref, "name": w["name"], "price": str(w["price"]),
                  "stock_available": w["stock_available"]}
                 for ref in self._cited if (w := self._watches[ref]) is not None]
        return Grounded(text="".join(self._pieces).strip(), cited=cited, corrections=self.corrections)

    async def _sentence(self, sentence: str, separator: str) -> None:
        if not sentence.strip():
            if separator == "\n" and self._pieces and not self._pieces[-1].endswith("\n"):
                await self._out("\n")  # keep paragraph breaks
            return
        if self._quotes_instructions(sentence):
            self.corrections.append("removed text quoting the assistant's instructions")
            return
        mentioned = list(dict.fromkeys(REFERENCE.findall(sentence)))
        await self._look_up(mentioned)
        for ref in mentioned:
            if self._watches[ref] is None and not await self._prefix_exists(ref):
                # A reference that names no watch (a model name's short form such as SRPE93 is fine).
                self.corrections.append(f"removed {ref}: no such watch in the catalog")
                self._dropped_real += [r for r in mentioned if self._watches[r] is not None]
                return
        live = [ref for ref in mentioned if self._watches[ref] is not None]
        for ref in live:
            sentence = self._fix_prices(sentence, ref, mentioned)
            if ref not in self._cited:
                self._cited.append(ref)
        await self._out(sentence.strip() + separator)

    def _quotes_instructions(self, sentence: str) -> bool:
        text = sentence.strip()
        return any(line in text or (len(text) >= LEAK_MIN_CHARS and text in line) for line in self.secret_lines)

    async def _look_up(self, references: list[str]) -> None:
        missing = [ref for ref in references if ref not in self._watches]
        if not missing:
            return
        async with self.pool.connection() as conn:
            rows = await catalog_repo.get_watches_by_references(conn, references=missing)
        found = {row["reference"]: row for row in rows}
        for ref in missing:
            self._watches[ref] = found.get(ref)

    async def _prefix_exists(self, prefix: str) -> bool:
        async with self.pool.connection() as conn:
            return await catalog_repo.reference_prefix_exists(conn, prefix=prefix)

    def _fix_prices(self, sentence: str, ref: str, mentioned: list[str]) -> str:
        """A dollar amount in a sentence naming `ref` (and no other watch) must be its live price."""
        others = {r for r in mentioned if r != ref and not ref.startswith(r)}
        watch = self._watches[ref]
        if others or watch is None:
            return sentence
        price = Decimal(watch["price"])
        for match in PRICE_NEAR.finditer(sentence):
            try:
                stated = Decimal(match.group(1).replace(",", ""))
            except InvalidOperation:
                continue
            # A limit ("under $600") is the shopper's budget, not this watch's price. An amount the shopper
            # merely mentioned is not exempt: "it costs $1" stays a claim about the watch and is corrected.
            if BUDGET_BEFORE.search(sentence[:match.start()]):
                continue
            if stated != price:
                sentence = sentence.replace(match.group(0), f"${price:,.2f}")
                self.corrections.append(f"corrected the price of {ref} from ${stated} to ${price:,.2f}")
        return sentence

    async def _out(self, piece: str) -> None:
        self._pieces.append(piece)
        if self.emit is not None:
            await self.emit("text", piece)


async def ground(pool: Pool, text: str, *, system_prompt: str) -> Grounded:
    """Ground a whole answer at once (the same checks as a stream)."""
    return await Grounder(pool, system_prompt=system_prompt).finish(text)
