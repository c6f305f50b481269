"""Records Gymnasium references that test/data/fixtures lacks: trajectories with continuous actions
passed as float32 and float64 ndarrays (numpy's dtype rules make them step differently from Python
lists), scripted policies that reach the goal or the time limit, env kwargs, steps past termination;
and each env's spaces and registered spec (specs.json).

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


def record(env_id, seed, policy, action_dtype=None, make_kwargs=None, steps_after_end=0):
    """One episode from reset(seed) to its end, then steps_after_end more; policy(obs, rng) gives the action."""
    env = gym.make(env_id, **(make_kwargs or {}))
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
    if make_kwargs is not None:
        trajectory["make_kwargs"] = make_kwargs
    terminated = truncated = False
    steps_left_after_end = steps_after_end
    while not (terminated or truncated) or steps_left_after_end > 0:
        if terminated or truncated:
            steps_left_after_end -= 1
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


def json_bounds(values):
    """JSON has no infinities: they are written as the strings "inf" and "-inf"."""
    return [v if np.isfinite(v) else ("inf" if v > 0 else "-inf") for v in values.tolist()]


def box_spec(space):
    return {"low": json_bounds(space.low), "high": json_bounds(space.high), "shape": list(space.shape), "dtype": str(space.dtype)}


def space_spec(space):
    if isinstance(space, gym.spaces.Discrete):
        return {"n": int(space.n), "start": int(space.start)}
    return box_spec(space)


def env_specs(env_ids):
    """Spaces and registered spec of each id, as Gymnasium reports them."""
    specs = []
    for env_id in env_ids:
        env = gym.make(env_id)
        specs.append(
            {
                "id": env_id,
                "max_episode_steps": env.spec.max_episode_steps,
                "reward_threshold": env.spec.reward_threshold,
                "observation_space": box_spec(env.observation_space),
                "action_space": space_spec(env.action_space),
            }
        )
    return specs


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
        "MountainCar-v0": [record("MountainCar-v0", s, pump_energy_discrete) for s in SEEDS]
        + [record("MountainCar-v0", SEEDS[0], pump_energy_discrete, make_kwargs={"goal_velocity": 0.05})],
        "CartPole-v1": [record("CartPole-v1", s, balance_pole) for s in SEEDS]
        + [record("CartPole-v1", SEEDS[0], lambda obs, rng: 1, steps_after_end=3)]
        + [record("CartPole-v1", SEEDS[1], lambda obs, rng: 0, make_kwargs={"sutton_barto_reward": True}, steps_after_end=3)],
    }
    fixtures["Pendulum-v1"].append(record("Pendulum-v1", SEEDS[0], swing_pendulum, "float32", make_kwargs={"g": 9.81}))
    for env_id, trajectories in fixtures.items():
        source = "gymnasium 1.3.0, numpy 2; scripted and random actions, see generate.py"
        path = OUT_DIR / f"{env_id}.json"
        path.write_text(json.dumps({"source": source, "trajectories": trajectories}) + "\n")
        ends = [(len(t["steps"]), t["steps"][-1]["terminated"], t["steps"][-1]["truncated"]) for t in trajectories]
        print(path.name, ends)
    ids = ["CartPole-v0", "CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "Acrobot-v1"]
    (OUT_DIR / "specs.json").write_text(json.dumps({"source": "gymnasium 1.3.0", "specs": env_specs(ids)}, indent=1, allow_nan=False) + "\n")


if __name__ == "__main__":
    main()
