"""Property-based tests of the playground's WebSocket protocol.

Any JSON value as a message, any settings object (known names with any JSON
value, unknown names), uploads of any text: every message gets a well-formed
answer (strict JSON, a known type), never an "internal error", and the page
keeps serving (a ``ping`` after each gets its ``pong``). First against
``Session.handle`` (where a bug raises instead of being turned into a message),
then through a real server. Examples are few and bounded in size, with a
deadline, so that the suite stays fast.
"""

import json
import time

import pytest

pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nnlearn.playground.session import COMMANDS, Session  # noqa: E402
from nnlearn.playground.settings import FIELDS  # noqa: E402

from playground_helpers import Page, server  # noqa: E402,F401  (server: a fixture)

# uvicorn's and websockets' keepalive pings draw from the global ``random`` in their own
# threads (a server another test left running); Hypothesis sees that and warns. Runs the
# fuzz started end as the loop judges them (diverged, chance level): the page shows that.
pytestmark = [pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies"),
              pytest.mark.filterwarnings("ignore::nnlearn.errors.TrainingWarning")]
REPLY_TYPES = {"settings", "data", "network", "frame", "state", "error", "pong", "pace",
               "snapshot"}
FUZZ = settings(max_examples=200, deadline=20_000, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# the edges that broke or nearly broke something once
extremes = st.sampled_from([10**400, -(10**400), 2**63, 2**31, -1, 0, 1e308, -1e308, 5e-324,
                            float("inf"), float("nan"), "", " ", "1e999", "0x10", "1_000"])
scalars = (st.none() | st.booleans() | st.integers() | st.integers(-10**400, 10**400)
           | st.floats() | st.text(max_size=12) | extremes)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=12)
# values a page could mean: the choices, numbers, the URL's strings, lists of widths
choices = sorted({c for f in FIELDS.values() for c in f.choices})
field_values = (json_values | extremes | st.sampled_from(choices) | st.integers(-5, 6000)
                | st.floats(-1e3, 1e3) | st.lists(st.integers(-3, 600), max_size=34)
                | st.lists(st.integers(0, 40).map(str), max_size=5).map(",".join))
settings_objects = st.dictionaries(st.sampled_from(list(FIELDS)) | st.text(max_size=8),
                                   field_values, max_size=8)
csv_texts = st.builds(
    lambda rows, end, header: ("x,y,label" + end if header else "") + end.join(
        ",".join(map(str, row)) for row in rows),
    st.lists(st.tuples(st.floats(-1e31, 1e31) | st.integers(-5, 5) | st.text(max_size=3),
                       st.floats(-5, 5), st.sampled_from(["a", "b", "c", 0, 1, "", "nan"])),
             max_size=40),
    st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
messages = st.one_of(
    json_values,
    st.fixed_dictionaries({"type": st.sampled_from(COMMANDS)},
                          optional={"settings": json_values, "x": json_values}),
    st.fixed_dictionaries({"type": st.just("settings"), "settings": settings_objects}),
    st.fixed_dictionaries({"type": st.just("upload"), "name": json_values,
                           "text": csv_texts | json_values}),
)


def check_answer(replies):
    """A well-formed answer: at least one reply, each strict JSON of a known type."""
    assert replies, "no answer"
    for reply in replies:
        json.loads(json.dumps(reply, allow_nan=False))  # strict JSON, or this raises
        assert reply["type"] in REPLY_TYPES, reply["type"]
        if reply["type"] == "error":
            assert isinstance(reply["message"], str) and reply["message"]
            assert "internal error" not in reply["message"]


@pytest.fixture(scope="module")
def page():
    session = Session(lambda frame: None)
    yield session
    session.close()


@FUZZ
@given(batch=st.lists(messages, min_size=1, max_size=4))
def test_every_message_gets_a_well_formed_answer_and_the_page_goes_on(page, batch):
    for message in batch:
        check_answer(page.handle(message))
        assert page.handle({"type": "ping"}) == [{"type": "pong"}]
    s = page.settings
    assert set(s) == set(FIELDS)  # whatever came, the settings stay complete and capped
    assert 20 <= s["points"] <= 5000 and len(s["hidden"]) <= 32


def _raw(value):
    """What a careless or hostile page sends: JSON (with NaN and Infinity, as Python's
    encoder writes them) or any text."""
    return value if isinstance(value, str) else json.dumps(value)


def _is_ping(text):
    try:
        message = json.loads(text)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("type") == "ping"


@pytest.mark.slow
@settings(FUZZ, max_examples=20)
@given(batch=st.lists(messages.map(_raw) | st.text(max_size=30), min_size=1, max_size=3))
def test_through_the_server_every_message_is_answered(server, batch):  # noqa: F811
    _, url = server
    p = Page(url)
    try:
        for text in batch:
            p.ws.send(text)
            p.send(type="ping")
            pongs = 1 + _is_ping(text)  # ours, and the message's own when it is a ping
            answers = []
            deadline = time.monotonic() + 30
            while pongs:
                raw = p.ws.recv(timeout=max(0.01, deadline - time.monotonic()))
                m = json.loads(raw, parse_constant=lambda c: pytest.fail(f"{c} in {raw[:80]}"))
                pongs -= m["type"] == "pong"
                answers.append(m)
            check_answer([m for m in answers[:-1] if m["type"] != "frame"])
    finally:
        p.close()
