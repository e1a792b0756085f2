"""State and cached resources shared by the pages (session keys, dataset, split, job manager)."""

from __future__ import annotations

import logging
import threading

import streamlit as st

from nngmix.data import DEFAULT_DATASET, BUILTIN_GROUP

log = logging.getLogger("nngmix.app")
RATIOS = {"10 %": 1.0, "5 %": 0.5, "1 %": 0.1}
DEFAULTS = {
    "dataset_key": f"{BUILTIN_GROUP}/{DEFAULT_DATASET}",
    "seed": 42,
    "labeled_share": "10 %",
    "duplicate": True,
    "subsample": True,
    "method": "nng_mix",
    "train_runs": [],
}


def init_state() -> None:
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value if not isinstance(value, list) else list(value))


def setting_widget(widget, label, name, *args, **kwargs):
    """A widget bound to a persistent setting. Streamlit drops a widget's own key on pages that do not
    draw it, so the widget keeps a private key and copies its value into the setting on change."""
    def copy():
        st.session_state[name] = st.session_state[f"_w_{name}"]

    if f"_w_{name}" not in st.session_state:
        st.session_state[f"_w_{name}"] = st.session_state[name]
    return widget(label, *args, key=f"_w_{name}", on_change=copy, **kwargs)


@st.cache_resource
def warm_up():
    """Compile UMAP's numba code, then the detectors' epoch kernels, in the background once per server. Called
    after the first page is drawn: compiling holds the GIL for seconds and would otherwise delay that page.
    (Training runs in worker processes; they load the kernels from numba's disk cache.)"""
    # plotly looks pandas up in sys.modules without importing it: were pandas half-imported by the warm-up
    # thread at that moment, a figure would fail ("partially initialized module"). Import it here first.
    import pandas  # noqa: F401

    from nngmix.projection import warm_up as warm_up_umap

    def run():
        warm_up_umap().join()
        try:
            from nngmix.detectors._compiled import warm_up as warm_up_detectors

            warm_up_detectors()
        except Exception as exc:  # an optimisation only
            log.warning("detector kernel warm-up failed: %s", exc)

    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_data(ttl=30, show_spinner=False)
def catalog():
    from nngmix.data import scan

    return scan()


def card_for(key: str):
    cards = {c.key: c for c in catalog()}
    if key not in cards:
        st.session_state["dataset_key"] = DEFAULTS["dataset_key"]
        key = DEFAULTS["dataset_key"]
    return cards[key]


@st.cache_data(max_entries=8, show_spinner="Splitting as the official protocol does…")
def split_for(key: str, seed: int, ratio: float, duplicate: bool, subsample: bool):
    from nngmix.data import protocol_split

    card = card_for(key)
    X, y = card.load()
    return protocol_split(X, y, seed=seed, ratio=ratio, duplicate=duplicate, subsample=subsample, source=card.name)


def current_split():
    s = st.session_state
    return split_for(s["dataset_key"], int(s["seed"]), RATIOS[s["labeled_share"]], bool(s["duplicate"]), bool(s["subsample"]))


def job_manager():
    from nngmix.store import default_path

    return _job_manager(str(default_path()))


@st.cache_resource
def _job_manager(path: str):
    from nngmix.jobs import JobManager

    return JobManager(path, concurrency=1)


def store():
    from nngmix.store import default_path

    return _store(str(default_path()))


@st.cache_resource
def _store(path: str):
    # one per store file: $NNGMIX_HOME / $NNGMIX_STORE can change (tests, several projects)
    from nngmix.store import Store

    return Store(path)


def sidebar_summary() -> None:
    """The current dataset and settings; app.py draws it into the sidebar after the page has run."""
    s = st.session_state
    st.markdown("### Current settings")
    st.markdown(f"**Dataset** `{s['dataset_key']}`  \n**Seed** {s['seed']} · **labeled** {s['labeled_share']}"
                f"  \n**Method** `{s['method']}`")
    st.caption("Settings are kept across pages.")


def show_error(exc: Exception) -> None:
    """Library errors as a readable message; the page keeps working."""
    st.error(f"{type(exc).__name__}: {exc}", icon="⚠️")


@st.cache_resource
def _background() -> dict:
    """Sweeps and tuning runs started from the app: key -> [thread, outcome] (outcome None while running)."""
    return {}


def _start(key: str, work) -> None:
    box = _background()
    slot = box[key] = [None, None]

    def run():  # never calls Streamlit: results go to the store and to this slot
        try:
            slot[1] = work()
        except Exception as exc:
            slot[1] = exc

    slot[0] = threading.Thread(target=run, name=f"nngmix-{key}", daemon=True)
    slot[0].start()


def start_sweep(spec) -> int:
    """Validate and start a sweep in the background (nngmix.sweep, a process pool); returns its size."""
    from nngmix.sweep import run_sweep

    n = len(spec.experiments())  # bad settings raise here, in the page, as a message
    _start(spec.tag, lambda: run_sweep(spec, store=store()))
    return n


def sweep_outcome(tag: str):
    slot = _background().get(tag)
    return slot[1] if slot else False


def start_tuning(dataset_key: str, trials: int, detector: str) -> str:
    from nngmix.tuning import tune_nngmix

    key = f"tune-{dataset_key}-{trials}-{detector}-{len(_background())}"
    card = card_for(dataset_key)
    _start(key, lambda: tune_nngmix(*card.load(), n_trials=trials, detector=detector))
    return key


def tuning_outcome(key: str):
    slot = _background().get(key)
    return slot[1] if slot else False
