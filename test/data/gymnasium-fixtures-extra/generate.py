"""Records Gymnasium trajectories that test/data/fixtures lacks: continuous actions passed as float32
and float64 ndarrays (numpy's dtype rules make them step differently from Python lists), and
scripted policies that reach the goal or the time limit.

Run with Gymnasium 1.3.0 and numpy 2 importable (e.g. PYTHONPATH=<Gymnasium checkout>):
    python3 test/data/gymnasium-fixtures-extra/generate.py
"""

import json
from pathlib import Path

import gymnasium as gym
import numpy as np

OUT_DIR = Path(__file__).parent
SEEDS = (10, 11)
TORQUE_NOISE = 0.3


def record(env_id, seed, policy, action_dtype=None):
    """One episode from reset(seed) to its end; policy(obs, rng) gives the action."""
    env = gym.make(env_id)
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    trajectory = {
        "env": env_id,
        "gymnasium": gym.__version__,
        "numpy": np.__version__,
        "seed": seed,
        "reset": obs.tolist(),
        "reset_state": np.asarray(env.unwrapped.state, dtype=np.float64).tolist(),
        "steps": [],
    }
    if action_dtype is not None:
        trajectory["action_dtype"] = action_dtype
    terminated = truncated = False
    while not (terminated or truncated):
        action = policy(obs, rng)
        given = action if action_dtype is None else np.asarray(action, dtype=action_dtype)
        obs, reward, terminated, truncated, _ = env.step(given)
        trajectory["steps"].append(
            {
                "action": action,
                "obs": obs.tolist(),
                "reward": float(reward),
                "terminated": bool(terminated),
                "truncated": bool(truncated),
            }
        )
    return trajectory


def random_box_action(low, high):
    """A float32 sample as a list of Python floats, as Box.sample gives."""
    return lambda obs, rng: rng.uniform(low, high, size=(1,)).astype(np.float32).tolist()


def pump_energy(obs, rng):
    """Push along the velocity (MountainCarContinuous), with noise, so the car reaches the goal."""
    push = 0.9 if obs[1] >= 0 else -0.9
    return [float(np.float32(np.clip(push + rng.uniform(-0.1, 0.1), -1.0, 1.0)))]


def pump_energy_discrete(obs, rng):
    """MountainCar: push right while moving right, left otherwise."""
    return 2 if obs[1] >= 0 else 0


def balance_pole(obs, rng):
    """CartPole: push toward the side the pole leans to (angle plus angular velocity), lasting 500 steps."""
    return 1 if obs[2] + 0.5 * obs[3] + 0.01 * obs[0] + 0.1 * obs[1] > 0 else 0


def swing_pendulum(obs, rng):
    """Pendulum: torque along the angular velocity plus noise, so it spins and its angle grows."""
    torque = 2.0 if obs[2] >= 0 else -2.0
    return [float(np.float32(np.clip(torque + rng.uniform(-TORQUE_NOISE, TORQUE_NOISE), -2.0, 2.0)))]


def main():
    fixtures = {
        "Pendulum-v1": [record("Pendulum-v1", s, random_box_action(-2.0, 2.0), "float32") for s in SEEDS]
        + [record("Pendulum-v1", SEEDS[0], random_box_action(-2.0, 2.0), "float64")]
        + [record("Pendulum-v1", SEEDS[1], swing_pendulum, "float32")],
        "MountainCarContinuous-v0": [
            record("MountainCarContinuous-v0", SEEDS[0], random_box_action(-1.0, 1.0), "float32"),
            record("MountainCarContinuous-v0", SEEDS[1], random_box_action(-1.0, 1.0), "float64"),
        ]
        + [record("MountainCarContinuous-v0", s, pump_energy, dtype) for s in SEEDS for dtype in (None, "float32", "float64")],
        "MountainCar-v0": [record("MountainCar-v0", s, pump_energy_discrete) for s in SEEDS],
        "CartPole-v1": [record("CartPole-v1", s, balance_pole) for s in SEEDS],
    }
    for env_id, trajectories in fixtures.items():
        source = "gymnasium 1.3.0, numpy 2; scripted and random actions, see generate.py"
        path = OUT_DIR / f"{env_id}.json"
        path.write_text(json.dumps({"source": source, "trajectories": trajectories}) + "\n")
        ends = [(len(t["steps"]), t["steps"][-1]["terminated"], t["steps"][-1]["truncated"]) for t in trajectories]
        print(path.name, ends)


if __name__ == "__main__":
    main()
