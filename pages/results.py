"""Results page: every run in the store, curves, paper-style tables, exports."""

import json
import time

import pandas as pd
import streamlit as st

from nngmix.cli import command_line
from nngmix.detectors import DETECTORS
from nngmix.experiment import Experiment
from nngmix.generators import GENERATORS
from nngmix.plots import curves_figure, heatmap_figure
from nngmix.sweep import expand_grid
from pages._shared import catalog, job_manager, show_error, store

st.title("Results")
with st.expander("Launch a sweep: datasets × methods × multipliers × seeds × detectors"), st.form("sweep"):
    cards = {c.key: c for c in catalog()}
    c1, c2 = st.columns(2)
    sweep_datasets = c1.multiselect("Datasets", list(cards), default=[st.session_state["dataset_key"]], key="sweep_datasets")
    sweep_methods = c2.multiselect("Methods", list(GENERATORS), default=["nng_mix"], key="sweep_methods")
    c3, c4, c5 = st.columns(3)
    sweep_mults = c3.multiselect("Multipliers", [0, 1, 5, 10], default=[0, 1, 5, 10], key="sweep_multipliers")
    sweep_seeds = c4.multiselect("Seeds", list(range(10)), default=[0, 1, 2], key="sweep_seeds")
    sweep_detectors = c5.multiselect("Detectors", list(DETECTORS), default=["MLP"], key="sweep_detectors")
    sweep_epochs = st.number_input("Training epochs (MLP: at most)", 1, 500, 200, key="sweep_epochs")
    if st.form_submit_button("Launch sweep"):
        grid = expand_grid(Experiment(), datasets=[tuple(k.split("/", 1)) for k in sweep_datasets],
                           methods=sweep_methods, multipliers=sweep_mults, seeds=sweep_seeds, detectors=sweep_detectors)
        tag = f"sweep-{int(time.time())}"
        try:
            for exp in grid:
                exp.detector_params = {DETECTORS[exp.detector].epochs_param: int(sweep_epochs)}
                job_manager().submit(exp, tag=tag)
            st.session_state["sweep_tag"] = tag
            st.success(f"Queued {len(grid)} runs as {tag}.")
        except Exception as exc:
            show_error(exc)



def sweep_progress(tag):
    swept = store().list_runs(tag=tag)
    finished = sum(r["status"] not in ("queued", "running") for r in swept)
    st.progress(finished / max(1, len(swept)), text=f"{tag}: {finished} of {len(swept)} runs finished")
    return finished < len(swept)


if st.session_state.get("sweep_tag"):
    tag = st.session_state["sweep_tag"]
    if store().list_runs(status=("queued", "running"), tag=tag):
        st.fragment(run_every=2.0)(sweep_progress)(tag)  # polls only while the sweep runs
    else:
        sweep_progress(tag)

runs = store().list_runs()
if not runs:
    st.info("The run store is empty: train something on the Train page or with `python -m nngmix run`.")
    st.stop()

rows = []
for r in runs:
    c, m = r["config"], r["metrics"] or {}
    rows.append({"id": r["id"], "dataset": c["dataset"], "detector": c["detector"],
                 "method": "baseline" if c["multiplier"] == 0 else c["method"], "multiplier": c["multiplier"],
                 "seed": c["seed"], "ratio": c["ratio"], "status": r["status"], "auc_roc": m.get("auc_roc"),
                 "auc_pr": m.get("auc_pr"), "device": r["device"]})
table = pd.DataFrame(rows)

f1, f2, f3, f4 = st.columns(4)
filters = {}
for col, name in zip((f1, f2, f3, f4), ("dataset", "method", "detector", "status")):
    filters[name] = col.multiselect(name, sorted(table[name].dropna().unique()), key=f"filter_{name}")
view = table
for name, chosen in filters.items():
    if chosen:
        view = view[view[name].isin(chosen)]
st.dataframe(view, hide_index=True, width="stretch")
st.download_button("Export CSV", view.to_csv(index=False), "nngmix_runs.csv", "text/csv")

selected = st.multiselect("Overlay curves of runs", view["id"].tolist(), default=view["id"].tolist()[:3], key="overlay")
if selected:
    labels = {i: f"#{i}" for i in selected}
    st.plotly_chart(curves_figure(store().epochs(selected), labels, "auc_roc"), width="stretch", key="overlay_fig")

st.subheader("Paper-style table")
done = view[(view["status"] == "done") & view["auc_roc"].notna()]
if len(done):
    detector = st.selectbox("Detector", sorted(done["detector"].unique()), key="table_detector")
    method = st.selectbox("Method", sorted(set(done["method"]) - {"baseline"}) or ["baseline"], key="table_method")
    part = done[(done["detector"] == detector) & done["method"].isin([method, "baseline"])]
    mean = part.pivot_table(index="dataset", columns="multiplier", values="auc_roc", aggfunc="mean")
    std = part.pivot_table(index="dataset", columns="multiplier", values="auc_roc", aggfunc="std")
    mean.loc["avg"] = mean.mean()
    std = std.reindex(index=mean.index, columns=mean.columns)
    shown = pd.DataFrame({c: [f"{m:.4f}" + (f" ± {sd:.4f}" if pd.notna(sd) and sd else "")
                              for m, sd in zip(mean[c], std[c])] for c in mean.columns}, index=mean.index)
    st.dataframe(shown, width="stretch")
    st.plotly_chart(heatmap_figure(mean, f"{detector} · {method}: test AUC-ROC (mean over seeds)"), width="stretch",
                    key="heatmap")

st.subheader("A configuration")
run_id = st.selectbox("Run", view["id"].tolist(), key="config_run")
cfg = next(r["config"] for r in runs if r["id"] == run_id)
st.code(command_line(Experiment.from_dict(cfg)), language="bash")
st.download_button("Export configuration (JSON)", json.dumps(cfg, indent=2), f"nngmix_run_{run_id}.json", "application/json")
uploaded = st.file_uploader("Import a configuration (JSON) and run it", type=["json"], key="import_config")
if uploaded is not None and st.button("Queue it", key="queue_import"):
    try:
        new_id = job_manager().submit(Experiment.from_dict(json.loads(uploaded.getvalue())))
        st.session_state.setdefault("train_runs", []).append(new_id)
        st.success(f"Queued run #{new_id}; follow it on the Train page.")
    except Exception as exc:
        show_error(exc)
