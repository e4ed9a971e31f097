"""Search over the real catalog with the packaged embedding model: filters honoured, typos,
reasons, out-of-stock demotion, re-embedding only what changed, bad parameters, quality."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.settings import Settings
from db.pool import Conn
from evals.search.harness import SETS, evaluate, load_cases
from rag.indexer import index_missing
from rag.retriever import Mode
from tests.fix_app import EMBEDDER, Users

pytestmark = pytest.mark.integration


async def search(client: httpx.AsyncClient, q: str, **params: Any) -> dict[str, Any]:
    r = await client.get("/api/v1/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.parametrize("mode", ["hybrid", "vector", "lexical"])
async def test_contract_shape_in_every_mode(client: httpx.AsyncClient, mode: str) -> None:
    body = await search(client, "automatic diver under $500", limit=5, mode=mode)
    assert body["mode"] == mode
    assert body["filters"]["max_price"] == "500.00"
    assert body["filters"]["movements"] == ["automatic"]
    assert "under $500" in body["filters"]["understood"]
    assert 1 <= len(body["results"]) <= 5
    exact = [r for r in body["results"] if not r["near_miss"]]
    assert exact and body["results"][:len(exact)] == exact, "exact matches come first"
    for result in body["results"]:
        assert {"watch", "score", "matched"} <= set(result)
    for result in exact:
        watch = result["watch"]
        assert Decimal(watch["price"]) <= 500
        assert watch["movement"] == "automatic"
        assert watch["category"] == "diver"
        assert any("at most $500.00" in m for m in result["matched"])
    for result in body["results"][len(exact):]:
        assert result["matched"][0].startswith("near miss: ")


async def test_every_stated_constraint_is_honoured(client: httpx.AsyncClient) -> None:
    body = await search(client, "blue dial prospex 200m under $1,500 on a bracelet", limit=20)
    exact = [r for r in body["results"] if not r["near_miss"]]
    assert exact
    for r in exact:
        w = r["watch"]
        assert "blue" in w["dial_color"]
        assert w["collection"] == "Prospex"
        assert w["water_resistance_m"] >= 200
        assert Decimal(w["price"]) <= 1500
        assert w["strap"] == "bracelet"
    sizes = await search(client, "44mm or larger", limit=50)
    assert sizes["results"]
    assert all(r["watch"]["case_diameter_mm"] >= 44 for r in sizes["results"] if not r["near_miss"])


async def test_meaning_finds_what_words_do_not(client: httpx.AsyncClient) -> None:
    body = await search(client, "a watch I can take scuba diving", limit=5)
    assert body["results"][0]["watch"]["category"] == "diver"
    elegant = await search(client, "something elegant for a wedding", limit=5)
    assert all(r["watch"]["category"] == "dress" for r in elegant["results"])


async def test_typos_still_find_the_watch(client: httpx.AsyncClient) -> None:
    body = await search(client, "presge coktail", limit=3)
    assert body["filters"]["corrected"] == {"coktail": "cocktail", "presge": "presage"}
    assert body["filters"]["collections"] == ["Presage"]
    assert all("Cocktail Time" in r["watch"]["name"] for r in body["results"])
    assert (await search(client, "a gift for my dad"))["filters"].get("corrected") is None
    exact = await search(client, "SRPD55", limit=3)
    assert exact["results"][0]["watch"]["reference"] == "SRPD55K1"
    corrected = await search(client, "turtel diver", limit=3)
    assert corrected["filters"]["corrected"] == {"turtel": "turtle"}
    assert "Turtle" in corrected["results"][0]["watch"]["name"]
    assert any("'turtel' as 'turtle'" in m for m in corrected["results"][0]["matched"])


async def test_contradiction_gets_a_clear_answer(client: httpx.AsyncClient) -> None:
    body = await search(client, "under $100 over $500")
    assert body["filters"]["ignored"][0]["constraint"] == "price"
    assert body["notes"] == ["ignored price: at least $500.00 and at most $100.00 cannot both hold"]
    assert body["results"], "the rest of the query still searches"


async def test_out_of_stock_is_demoted_and_marked_not_hidden(client: httpx.AsyncClient, conn: Conn) -> None:
    before = await search(client, "cocktail time", limit=10)
    top = before["results"][0]["watch"]["reference"]
    await conn.execute("UPDATE inventory SET available = 0 FROM watches w WHERE w.id = inventory.watch_id "
                       "AND w.reference = %s", (top,))
    after = await search(client, "cocktail time", limit=10)
    refs = [r["watch"]["reference"] for r in after["results"]]
    assert top in refs, "not hidden"
    assert refs.index(top) > 0, "demoted"
    entry = after["results"][refs.index(top)]
    assert entry["watch"]["stock_available"] == 0
    assert "out of stock (shown lower)" in entry["matched"]


async def test_queries_with_no_exact_match_are_recorded(client: httpx.AsyncClient, conn: Conn) -> None:
    body = await search(client, "gold dress watch under $200")
    assert body["filters"]["exact_matches"] == 0
    assert body["results"] and all(r["near_miss"] for r in body["results"]), "near misses, not a dead end"
    cur = await conn.execute("SELECT query, mode, filters FROM search_misses")
    rows = await cur.fetchall()
    assert [(r["query"], r["mode"]) for r in rows] == [("gold dress watch under $200", "hybrid")]
    assert rows[0]["filters"]["max_price"] == "200.00"


@pytest.mark.parametrize("params", [{"q": ""}, {"q": "   "}, {}, {"q": "x", "limit": 0}, {"q": "x", "limit": 10_000},
                                    {"q": "x", "mode": "psychic"}, {"q": "x" * 301}, {"q": "x", "limit": "ten"}])
async def test_bad_parameters_are_problems(client: httpx.AsyncClient, params: dict[str, Any]) -> None:
    r = await client.get("/api/v1/search", params=params)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "validation_error"


async def test_only_changed_rows_are_embedded_again(conn: Conn) -> None:
    first = await index_missing(conn, EMBEDDER)
    assert first.embedded == 0, "the template is fully indexed"
    await conn.execute("UPDATE watches SET description = description || ' Now with a new strap.' "
                       "WHERE reference = 'SRPD55K1'")
    await conn.execute("UPDATE reviews SET body = body || ' Still going strong.' WHERE id = "
                       "(SELECT min(id) FROM reviews)")
    second = await index_missing(conn, EMBEDDER)
    assert second.embedded == 2
    assert second.unchanged == first.unchanged - 2
    assert (await index_missing(conn, EMBEDDER)).embedded == 0


async def test_admin_edits_re_embed_in_the_background(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    cur = await conn.execute("SELECT e.content_hash FROM search_embeddings e JOIN watches w ON w.id = e.item_id "
                             "WHERE e.kind = 'watch' AND w.reference = 'SRPE93K1'")
    before = await cur.fetchone()
    story = "A cushion-cased diver beloved by night swimmers and lighthouse keepers."
    r = await client.patch("/api/v1/admin/watches/SRPE93K1", headers=await users.admin(), json={"description": story})
    assert r.status_code == 200
    cur = await conn.execute("SELECT e.content_hash FROM search_embeddings e JOIN watches w ON w.id = e.item_id "
                             "WHERE e.kind = 'watch' AND w.reference = 'SRPE93K1'")
    assert await cur.fetchone() != before
    body = await search(client, "lighthouse keepers", limit=1, mode="lexical")
    assert body["results"][0]["watch"]["reference"] == "SRPE93K1"


@pytest.mark.parametrize("labelled", sorted(SETS))
async def test_hybrid_beats_each_mode_alone_on_each_labelled_set(conn: Conn, labelled: str) -> None:
    cases = load_cases(SETS[labelled])
    assert len(cases) >= 40
    scores = {mode: await evaluate(conn, EMBEDDER, cases, mode, rates=Settings(_env_file=None).currency_rates)
              for mode in Mode}
    assert scores[Mode.hybrid].ndcg > scores[Mode.lexical].ndcg
    assert scores[Mode.hybrid].ndcg > scores[Mode.vector].ndcg
