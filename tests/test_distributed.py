"""Training under tf.distribute: one replica equals two, runs repeat with the
same seed, a resumed run equals an uninterrupted one, and two real worker
processes on 127.0.0.1 train synchronously on different photos."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import CONTENT_DIR, DATA, REPO, STYLES_DIR, VGG_WEIGHTS, run_cli

TRAIN = "magenta_style.train"


def train_args(output, *extra, steps="3", content=CONTENT_DIR):
    return ["--styles_dir", STYLES_DIR, "--styles", "starry_night,the_scream",
            "--content_dir", str(content), "--vgg_weights", VGG_WEIGHTS,
            "--output_dir", str(output), "--steps", steps, "--seed", "0",
            "--precision", "float32", "--style_size", "64", *extra]


def weights(path):
    from magenta_style.network.model import load_model

    return load_model(str(path)).get_weights()


def largest_difference(a, b):
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b))


def test_two_replicas_take_the_step_of_one():
    process = subprocess.run(
        [sys.executable, os.path.join(REPO, "tests", "replica_gradients.py"),
         DATA], capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": REPO})
    assert process.returncode == 0, process.stderr[-3000:]
    result = json.loads(process.stdout.strip().splitlines()[-1])
    # A local-batch mean would give twice the gradient (difference 1.0).
    assert result["gradients"] < 1e-6, result
    assert result["weights"] < 1e-6, result
    assert result["moved"] > 1e-3, result


def test_cli_default_and_mirrored_strategies_train_the_same_weights(tmp_path):
    runs = {"default": ["--strategy", "default"],
            "mirrored": ["--strategy", "mirrored", "--cpu_replicas", "2"]}
    for name, flags in runs.items():
        process = run_cli(TRAIN, *train_args(
            tmp_path / name, *flags, "--batch_size", "4", "--image_size", "64",
            "--optimizer", "sgd", "--learning_rate", "1e-4"))
        assert process.returncode == 0, process.stderr[-2000:]
    assert "MirroredStrategy, 2 replica(s)" in process.stdout
    adam = run_cli(TRAIN, *train_args(
        tmp_path / "adam", "--strategy", "mirrored", "--cpu_replicas", "2",
        "--batch_size", "2", "--image_size", "32", steps="2"))
    assert adam.returncode == 0, adam.stderr[-2000:]  # slots made in scope
    default = weights(tmp_path / "default")
    mirrored = weights(tmp_path / "mirrored")
    import keras

    from magenta_style.network.model import StylizationModel

    keras.utils.set_random_seed(0)
    start = StylizationModel(["starry_night", "the_scream"]).get_weights()
    moved = largest_difference(default, start)
    # Plain SGD: a wrong gradient scale would differ by the whole movement.
    # What is left is rounding of batch-4 against batch-2 kernels.
    assert largest_difference(default, mirrored) < 0.02 * moved


def test_same_seed_same_weights_and_resumed_equals_uninterrupted(tmp_path):
    tiny = ["--image_size", "32", "--batch_size", "2",
            "--checkpoint_every", "2"]
    for name in ("a", "b"):
        process = run_cli(TRAIN, *train_args(tmp_path / name, *tiny,
                                             steps="4"))
        assert process.returncode == 0, process.stderr[-2000:]
    first, second = weights(tmp_path / "a"), weights(tmp_path / "b")
    assert largest_difference(first, second) == 0.0

    resumed = tmp_path / "resumed"
    assert run_cli(TRAIN, *train_args(resumed, *tiny, steps="2")
                   ).returncode == 0
    process = run_cli(TRAIN, *train_args(resumed, *tiny, steps="4"))
    assert process.returncode == 0, process.stderr[-2000:]
    assert "resuming from step 2" in process.stdout
    assert largest_difference(first, weights(resumed)) < 1e-6


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def start_workers(output, photos, tmp, steps):
    """Two worker processes of one cluster on 127.0.0.1, same output folder."""
    cluster = {"worker": [f"127.0.0.1:{p}" for p in free_ports(2)]}
    processes = []
    for index in range(2):
        env = {**os.environ, "PYTHONPATH": REPO, "TMPDIR": str(tmp),
               "TF_CONFIG": json.dumps({"cluster": cluster, "task": {
                   "type": "worker", "index": index}})}
        processes.append(subprocess.Popen(
            [sys.executable, "-m", TRAIN, *train_args(
                output, "--strategy", "multi_worker", "--image_size", "32",
                "--batch_size", "2", "--checkpoint_every", "2",
                "--optimizer", "sgd", "--learning_rate", "1e-3",
                steps=steps, content=photos)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True))
    return processes


def finish(processes, timeout=600):
    return [p.communicate(timeout=timeout) + (p.returncode,)
            for p in processes]


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in sorted(os.listdir(CONTENT_DIR))[:4]:
        shutil.copy(os.path.join(CONTENT_DIR, name), folder)
    return folder


def test_two_workers_train_synchronously_on_different_photos(tmp_path, photos):
    output, scratch = tmp_path / "run", tmp_path / "tmp"
    scratch.mkdir()
    results = finish(start_workers(output, photos, scratch, steps="6"))
    for out, err, code in results:
        assert code == 0, err[-3000:]
    chief, other = (out for out, _, _ in results)
    assert "MultiWorkerMirroredStrategy, 2 replica(s)" in chief
    fingerprints = [re.search(r"weights fingerprint: (\w+)", out).group(1)
                    for out in (chief, other)]
    assert fingerprints[0] == fingerprints[1]  # synchronous: same weights
    shares = [set(re.search(r"input pipeline \d of 2: (.*)\)", out)
                  .group(1).split(", ")) for out in (chief, other)]
    assert not shares[0] & shares[1]
    assert shares[0] | shares[1] == set(os.listdir(photos))
    totals = [float(t) for t in re.findall(r"total ([\d.]+)", chief)]
    assert totals[-1] < totals[0]
    assert sorted(os.listdir(output / "checkpoints")) == [
        "step-00000004", "step-00000006"]
    assert (output / "model.keras").is_file()
    assert "model written to" in chief and "model written to" not in other
    assert os.listdir(scratch) == []  # the other worker's folder is gone


def test_a_killed_worker_stops_the_other_and_a_rerun_resumes(tmp_path,
                                                              photos):
    output, scratch = tmp_path / "run", tmp_path / "tmp"
    scratch.mkdir()
    processes = start_workers(output, photos, scratch, steps="2000")
    checkpoints = output / "checkpoints"
    deadline = time.monotonic() + 300
    while not (checkpoints.is_dir() and os.listdir(checkpoints)):
        assert time.monotonic() < deadline, "no checkpoint within 300 s"
        assert all(p.poll() is None for p in processes)
        time.sleep(1)
    processes[1].send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    out, err, code = finish(processes[:1], timeout=240)[0]
    processes[1].wait()
    assert code != 0
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "worker" in errors[0], err[-3000:]
    assert "Traceback" not in err
    print(f"survivor stopped {time.monotonic() - killed_at:.0f} s after kill")

    saved = max(int(name.split("-")[1]) for name in os.listdir(checkpoints))
    results = finish(start_workers(output, photos, scratch,
                                   steps=str(saved + 2)))
    for out, err, code in results:
        assert code == 0, err[-3000:]
        assert f"resuming from step {saved}" in out
