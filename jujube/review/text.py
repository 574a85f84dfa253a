"""Plain-text rendering of needs for the command line: tables, need cards, statistics."""
from __future__ import annotations

import logging
from typing import Any, Optional, Sequence

from jujube.review.queries import NeedDetail, Page
from jujube.review.stats import Stats

logger = logging.getLogger(__name__)

ROLE_NAMES = {"user": "shopper", "bot": "assistant"}


def _pct(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _fit(text: str, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], width: int = 120,
          flexible: Sequence[int] = ()) -> str:
    """A left-aligned text table; columns in `flexible` shrink to fit `width`."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h)] + [len(" ".join(r[i].split())) for r in cells]) for i, h in enumerate(headers)]
    spare = width - (sum(widths) + 2 * (len(widths) - 1))
    flex = [i for i in flexible if i < len(widths)]
    while spare < 0 and flex:
        widest = max(flex, key=lambda i: widths[i])
        if widths[widest] <= 12:
            break
        cut = min(-spare, widths[widest] - 12)
        widths[widest] -= cut
        spare += cut
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(_fit(v, w).ljust(w) for v, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def page_table(page: Page, width: int = 120) -> str:
    """The needs table of one page, with a footer saying where it is."""
    if not page.rows:
        return "No needs match." if page.total == 0 else f"Page {page.page} is empty: there are {page.pages} pages."
    headers = ("ID", "CAPTURED", "CHANNEL", "LANG", "ASKED FOR", "NEEDED", "RECIPIENT", "OUTCOME", "UNMET")
    rows = [
        (r.id, r.captured_at[:16].replace("T", " "), r.channel, r.language or "-", r.stated_request,
         r.underlying_need, r.recipient or "-", r.outcome, "yes" if r.unmet else "")
        for r in page.rows
    ]
    body = table(headers, rows, width, flexible=(5, 4, 6))
    foot = f"{page.first}-{page.last} of {page.total} needs, page {page.page}/{page.pages}"
    if page.page < page.pages:
        foot += f" (next: --page {page.page + 1})"
    return f"{body}\n{foot}"


def _dimension(values: Any) -> str:
    if isinstance(values, list):
        return "; ".join(str(v) for v in values) or "-"
    return "-" if not values else str(values)


def price_text(price: dict[str, Any]) -> str:
    """`up to 50 CNY (medium sensitivity; around 50)` from the price dimension."""
    if not price:
        return "-"
    head = f"up to {price['max']:g} {price.get('currency') or ''}".strip() if price.get("max") is not None else "no budget"
    extra = [f"{price['sensitivity']} sensitivity"] if price.get("sensitivity") else []
    extra += [str(price["note"])] if price.get("note") else []
    return f"{head} ({'; '.join(extra)})" if extra else head


def need_card(detail: NeedDetail, revealed: bool = False) -> str:
    """The need card and transcript of one need."""
    r = detail.record
    needs = r.get("needs") or {}
    lines = [
        f"Need {r['id']} · conversation {r['conversation_id']} ({r['channel']}, language {r.get('language') or '-'})"
        f" · discovery {r['discovery_id']}",
        f"Captured    {r['captured_at']}   outcome: {r['outcome']}   unmet: {'yes' if r['unmet'] else 'no'}",
        f"Asked for   {r['stated_request'] or '-'}",
        f"Needed      {r['underlying_need'] or '-'}",
        f"Recipient   {r['recipient'] or '-'}   situation: {r['situation'] or '-'}   occasion: {r['occasion'] or '-'}",
        f"Functional  {_dimension(needs.get('functional'))}",
        f"Formal      {_dimension(needs.get('formal'))}",
        f"Emotional   {_dimension(needs.get('emotional'))}",
        f"Price       {price_text(needs.get('price') or {})}",
        "Recommended" + ("" if r["recommendations"] else "  nothing"),
    ]
    for i, rec in enumerate(r["recommendations"], 1):
        chosen = "  [chosen]" if rec.get("sku") and rec.get("sku") == r.get("chosen_sku") else ""
        price = f" {rec['price']:.2f}" if isinstance(rec.get("price"), (int, float)) else ""
        lines.append(f"  {i}. {rec.get('name', '?')} ({rec.get('sku', '?')}){price}: {rec.get('reason', '')}{chosen}")
    for sib in detail.siblings:
        lines.append(f"Also in this conversation: need {sib['id']} ({sib['stated_request']} -> {sib['underlying_need']})")
    lines.append("Transcript" + ("" if detail.transcript else "  (none stored)"))
    for line in detail.transcript:
        who = ROLE_NAMES.get(line["role"], line["role"])
        lines.append(f"  {line['sent_at'][11:19]} {who:>9}: {line['text']}")
    if detail.has_contact and not revealed:
        lines.append("(contact details are masked; add --reveal to show them)")
    return "\n".join(lines)


def stats_text(stats: Stats, width: int = 120) -> str:
    """The statistics as a short report."""
    if not stats.total:
        return "No needs match."
    answered = stats.accepted + stats.declined
    out = [
        f"Needs: {stats.total}   unmet: {stats.unmet} ({_pct(stats.unmet_share)})   "
        f"with recommendations: {stats.with_recommendations}",
        f"Acceptance rate: {_pct(stats.acceptance_rate)} ({stats.accepted} accepted of {answered} answered)",
        "",
        "By outcome",
        table(("OUTCOME", "NEEDS", "SHARE"),
              [(o, n, _pct(n / stats.total)) for o, n in stats.by_outcome.items()], width),
        "",
        "By language",
        table(("LANGUAGE", "NEEDS", "SHARE", "UNMET", "ACCEPTANCE"),
              [(lang, v["needs"], _pct(v["share"]), f"{v['unmet']} ({_pct(v['unmet_share'])})",
                _pct(v["acceptance_rate"])) for lang, v in stats.languages.items()], width),
        "",
        "Need dimensions",
        table(("DIMENSION", "NEEDS MENTIONING IT", "SHARE OF VALUES"),
              [(d, f"{v['needs']} ({_pct(v['needs'] / stats.total)})", _pct(stats.dimension_shares()[d]))
               for d, v in stats.dimensions.items()], width),
        "",
        "Top underlying needs",
        table(("NEEDS", "UNDERLYING NEED"), [(n, u) for u, n in stats.top_needs], width, flexible=(1,)),
        "",
        "Asked for -> needed",
        table(("NEEDS", "ASKED FOR -> NEEDED"), [(n, f"{s} -> {u}") for s, u, n in stats.top_pairs], width,
              flexible=(1,)),
        "",
        "Top unmet requests (what to stock next)",
        table(("ASKED", "REQUEST"), [(n, s) for s, n in stats.top_unmet], width, flexible=(1,))
        if stats.top_unmet else "  none",
    ]
    return "\n".join(out)
