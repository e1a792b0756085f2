"""Train page: launch background runs, watch live AUC curves, stop runs; reattaches from the store."""

import streamlit as st

from nngmix.detectors import DETECTORS
from nngmix.experiment import BASELINE, Experiment
from nngmix.generators import GENERATORS
from nngmix.plots import curves_figure
from pages._shared import RATIOS, job_manager, show_error, store


@st.cache_data(ttl=600, show_spinner=False)
def device_options():
    import torch

    options = {"auto": "auto", "cpu": "cpu"}
    for i in range(torch.cuda.device_count()):
        options[f"cuda:{i}"] = f"cuda:{i} — {torch.cuda.get_device_name(i)}"
    if torch.cuda.is_available():
        options["auto"] = f"auto ({torch.cuda.get_device_name(0)})"
    else:
        options["auto"] = "auto (CPU: no GPU found)"
    return options


st.title("Train")
s = st.session_state
with st.form("launch"):
    c1, c2, c3 = st.columns(3)
    detectors = c1.multiselect("Detectors", list(DETECTORS), default=["MLP"], key="train_detectors")
    methods = c2.multiselect("Augmentations", list(GENERATORS), default=["nng_mix"], key="train_methods",
                             format_func=lambda m: GENERATORS[m].title)
    multipliers = c3.multiselect("Multipliers (0 = baseline)", [0, 1, 5, 10], default=[0, 5], key="train_multipliers")
    d1, d2, d3 = st.columns(3)
    options = device_options()
    device = d1.selectbox("Device", list(options), format_func=options.get, key="train_device")
    epochs = d2.number_input("Training epochs (MLP: at most)", 1, 500, 50, key="train_epochs")
    pretrain = d3.number_input("DeepSAD pre-training epochs", 0, 500, 100, key="train_pretrain")
    launched = st.form_submit_button("Train", type="primary")

if launched:
    jobs = job_manager()
    count = 0
    try:
        for detector in detectors:
            params = {DETECTORS[detector].epochs_param: int(epochs)}
            if detector == "DeepSAD":
                params["pretrain_epochs"] = int(pretrain)
            for m in multipliers:
                for method in ([BASELINE] if m == 0 else methods):
                    exp = Experiment(dataset=s["dataset_key"].split("/", 1)[1], group=s["dataset_key"].split("/", 1)[0],
                                     seed=int(s["seed"]), ratio=RATIOS[s["labeled_share"]], duplicate=s["duplicate"],
                                     subsample=s["subsample"], method=method, multiplier=m, detector=detector,
                                     detector_params=params, device=device)
                    s["train_runs"].append(jobs.submit(exp))
                    count += 1
        st.toast(f"Queued {count} run(s).")
    except Exception as exc:
        show_error(exc)

runs_store = store()
# Reattach: this session's runs plus any run still active in the store (another tab, a refresh).
active_ids = [r["id"] for r in runs_store.list_runs(status=("queued", "running"))]
s["train_runs"] = sorted(set(s["train_runs"]) | set(active_ids))


def run_label(run):
    return f"#{run['id']} {Experiment.from_dict(run['config']).label}"


any_active = bool(active_ids)


@st.fragment(run_every=1.0 if any_active else None)
def live():
    ids = st.session_state["train_runs"]
    if not ids:
        st.info("No runs yet: choose detectors and augmentations above and press Train.")
        return
    runs = [runs_store.get_run(i) for i in ids]
    epochs = runs_store.epochs(ids)
    labels = {r["id"]: run_label(r) for r in runs}
    tabs = st.tabs(["AUC-ROC", "AUC-PR", "loss"])
    for tab, metric in zip(tabs, ["auc_roc", "auc_pr", "loss"]):
        tab.plotly_chart(curves_figure(epochs, labels, metric), width="stretch", key=f"curve_{metric}")
    counts = {}
    for row in epochs:
        counts[row["run_id"]] = counts.get(row["run_id"], 0) + 1
    if st.button("Stop all", key="stop_all", disabled=not any(r["status"] in ("queued", "running") for r in runs)):
        job_manager().stop_all()
    for run in runs:
        cfg = run["config"]
        p = cfg["detector_params"]
        total = DETECTORS[cfg["detector"]](**p).planned_epochs()
        done = counts.get(run["id"], 0)
        row = st.columns([4, 3, 2, 1])
        row[0].markdown(f"**{labels[run['id']]}** — `{run['status']}`" + (f" on {run['device']}" if run["device"] else ""))
        if run["status"] == "running":
            secs = [e["seconds"] or 0 for e in epochs if e["run_id"] == run["id"]]
            eta = (sum(secs) / len(secs)) * max(0, total - done) if secs else None
            row[1].progress(min(1.0, done / max(1, total)), text=f"epoch {done}/{total}" + (f" · ETA {eta:.0f} s" if eta else ""))
        elif run["metrics"]:
            auc = run["metrics"].get("auc_roc")
            row[1].markdown(f"AUC-ROC **{auc:.4f}** · AUC-PR {run['metrics'].get('auc_pr', 0):.4f}" if auc is not None else "—")
        elif run["error"]:  # red for failures; a stop or an interruption is no error of the run
            (row[1].error if run["status"] == "failed" else row[1].caption)(run["error"][:300])
        if run["status"] in ("queued", "running") and row[3].button("Stop", key=f"stop_{run['id']}"):
            job_manager().stop(run["id"])
    if any_active and not any(r["status"] in ("queued", "running") for r in runs):
        st.rerun()  # the last run ended: one full rerun turns the polling off


live()
