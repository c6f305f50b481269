"""Serves N copies of one Gymnasium env to a3c-ts over a binary pipe protocol.

Started by src/envs/gym-bridge/env-server-process.ts with its requests on stdin and its replies on
stdout (both FIFOs, so that the Node side can block on them). Everything this process or its
libraries print goes to stderr: stdout carries only the protocol.

Protocol (all little-endian):
  hello, sent once at start: u32 status, u32 nbytes, JSON text (spaces, info fields), then float64
  arrays obs low, obs high (and action low, action high for Box actions).
  request: u32 op, u32 payload bytes, payload.
    RESET payload: i64 seed (-1: no seed; copy i gets seed + i, as Gymnasium's vector envs).
    STEP payload: the actions, int32 [N] (Discrete) or float32 [N, actDim] (Box).
    PING, CLOSE: no payload.
  reply: u32 status, u32 n. status ERROR: n bytes of UTF-8 message. status OK after RESET/STEP:
    n = number of copies that ended this step, then obs [N, *shape], rewards f64 [N], the f64
    info fields [N] each (NaN: absent), the same fields for the auto-resets, the i32 info fields
    [N] each, the same for the auto-resets, terminated u8 [N], truncated u8 [N], then the final
    observation of each copy that ended, in copy order (same-step auto-reset). Info fields are
    named in the hello; the auto-reset ones mean something only for copies that ended.

Atari ids get the DQN preprocessing from one of two backends (--atari-backend): `ale-vector`,
ale-py's AtariVectorEnv doing emulation and preprocessing in C++ (see AleVectorBatch), or `python`,
ptan's wrap_dqn written here frame by frame on the ALE interface (see DqnAtari). Other ids are
served as Gymnasium makes them.
"""
import argparse
import json
import os
import struct
import sys

import ale_py
import cv2
import gymnasium as gym
import numpy as np

OP_RESET, OP_STEP, OP_PING, OP_CLOSE, OP_RENDER = 1, 2, 3, 4, 5
STATUS_OK, STATUS_ERROR = 0, 1
REQUEST_HEADER = struct.Struct('<II')
REPLY_HEADER = struct.Struct('<II')
NO_SEED = -1
PROTOCOL_VERSION = 2
# Large enough for a batch of 8 stacked Atari observations in one write (Linux F_SETPIPE_SZ;
# the default 64 KiB would take several wake-ups of the reader per step).
PIPE_BYTES = 1 << 20

# The --atari-options keys; their defaults (ptan's wrap_dqn) are DQN_ATARI_DEFAULTS in
# src/envs/gym-bridge/atari-preprocessing.ts, which always sends them all.
ATARI_OPTIONS = ('noopMax', 'frameSkip', 'fireReset', 'episodicLife', 'warpFrame', 'frameStack', 'clipRewards')
WARP_SIZE = 84  # WarpFrame's 84x84
ATARI_ENTRY_POINT = 'ale_py.env:AtariEnv'
ATARI_BACKENDS = ('ale-vector', 'python')
# Info sent per copy for Atari ids (rawReward: the step's unclipped reward; gameScore: the raw
# score of the whole game, on the step where the game ended; noops: the reset's no-op count).
INFO_F64_FIELDS = ('rawReward', 'gameScore', 'noops')
INFO_I32_FIELDS = ('lives', 'frameNumber', 'episodeFrameNumber')
NAN = float('nan')
NOOP_ACTION, FIRE_ACTION, FIRE_FOLLOW_UP_ACTION = 0, 1, 2


class DqnAtari:
    """One Atari game behind ptan's wrap_dqn wrappers, in their order from the inside out:
    EpisodicLife, NoopReset, MaxAndSkip, FireReset, WarpFrame, FrameStack, ClipReward.

    Same semantics as the wrapper chain in the reference's a3c_core.py (and about the same CPU
    cost: emulation, screen grabs and the resize dominate), written on the ALE interface so that
    it can report ALE's counters, the no-op count and the raw game score, and keep its frame
    stack in `stack`, this copy's slot of the batch's observation array.
    """

    def __init__(self, env, options, stack):
        self.env = env
        self.ale = env.ale
        # AtariEnv's map from action index to ALE action has no public accessor.
        self.action_set = env._action_set
        meanings = env.get_action_meanings()
        if meanings[NOOP_ACTION] != 'NOOP':
            raise ValueError(f'action 0 of {env.spec.id} is {meanings[0]}, NoopReset needs NOOP')
        self.noop_max = options['noopMax']
        self.frame_skip = options['frameSkip']
        self.fire_reset = options['fireReset'] and meanings[FIRE_ACTION:FIRE_ACTION + 1] == ['FIRE']
        self.episodic_life = options['episodicLife']
        self.warp = options['warpFrame']
        self.clip_rewards = options['clipRewards']
        self.stack = stack
        self.noop_rng = np.random.default_rng()
        height, width = self.ale.getScreenDims()
        self.screens = [np.empty((height, width, 3), np.uint8) for _ in range(2)]
        self.newest = 0
        self.pooled = np.empty((height, width, 3), np.uint8)
        self.gray = np.empty((height, width), np.uint8)
        self.lives = 0
        self.was_real_done = True
        self.game_score = 0.0
        self.noops = 0

    # -- EpisodicLife over one emulator frame ------------------------------------------------
    def _frame(self, action):
        reward = self.ale.act(self.action_set[action])
        self.newest ^= 1
        self.ale.getScreenRGB(self.screens[self.newest])
        terminated = self.ale.game_over(with_truncation=False)
        truncated = self.ale.game_truncated()
        self.was_real_done = terminated or truncated
        if self.episodic_life:
            lives = self.ale.lives()
            if 0 < lives < self.lives:
                terminated = True
            self.lives = lives
        return reward, terminated, truncated

    def _life_reset(self, seed):
        """EpisodicLife.reset: a real reset only after a real game over, else one NOOP frame."""
        if self.was_real_done:
            self.env.reset(seed=seed)
            self.newest ^= 1
            self.ale.getScreenRGB(self.screens[self.newest])
            self.game_score = 0.0
        else:
            self._frame(NOOP_ACTION)
        self.lives = self.ale.lives()
        return self.screens[self.newest]

    def _noop_reset(self, seed):
        screen = self._life_reset(seed)
        if self.noop_max == 0:
            return screen
        self.noops = int(self.noop_rng.integers(1, self.noop_max + 1))
        for _ in range(self.noops):
            _, terminated, truncated = self._frame(NOOP_ACTION)
            screen = self.screens[self.newest]
            if terminated or truncated:
                screen = self._life_reset(seed)
        return screen

    # -- MaxAndSkip --------------------------------------------------------------------------
    def _skip(self, action):
        total = 0.0
        terminated = truncated = False
        frames = 0
        while frames < self.frame_skip:
            reward, terminated, truncated = self._frame(action)
            total += reward
            frames += 1
            if terminated or truncated:
                break
        if frames == 1:
            return self.screens[self.newest], total, terminated, truncated
        np.maximum(self.screens[0], self.screens[1], out=self.pooled)
        return self.pooled, total, terminated, truncated

    # -- FireReset -----------------------------------------------------------------------------
    def _fire_reset(self, seed):
        screen = self._noop_reset(seed)
        if not self.fire_reset:
            return screen
        _, terminated, truncated = self._skip(FIRE_ACTION)[1:]
        if terminated or truncated:
            self._noop_reset(seed)
        screen, _, terminated, truncated = self._skip(FIRE_FOLLOW_UP_ACTION)
        if terminated or truncated:
            screen = self._noop_reset(seed)
        return screen

    # -- WarpFrame, FrameStack, ClipReward -------------------------------------------------------
    def _warp_into(self, screen, slot):
        if not self.warp:
            slot[...] = screen
            return
        cv2.cvtColor(screen, cv2.COLOR_RGB2GRAY, dst=self.gray)
        cv2.resize(self.gray, (WARP_SIZE, WARP_SIZE), dst=slot, interpolation=cv2.INTER_AREA)

    def reset(self, seed):
        if seed is not None:
            self.noop_rng = np.random.default_rng(seed)
        self.was_real_done = True
        self._warp_into(self._fire_reset(seed), self.stack[0])
        self.stack[1:] = self.stack[0]

    def auto_reset(self):
        """The reset that follows an agent episode's end: real only if the game is over."""
        self._warp_into(self._fire_reset(None), self.stack[0])
        self.stack[1:] = self.stack[0]

    def step(self, action):
        """Returns (reward, terminated, truncated, raw reward, game score or None)."""
        screen, raw_reward, terminated, truncated = self._skip(int(action))
        self.stack[:-1] = self.stack[1:]
        self._warp_into(screen, self.stack[-1])
        self.game_score += raw_reward
        reward = float(np.sign(raw_reward)) if self.clip_rewards else raw_reward
        game_score = self.game_score if self.was_real_done else None
        return reward, terminated, truncated, raw_reward, game_score

    def counters(self):
        return self.ale.lives(), self.ale.getFrameNumber(), self.ale.getEpisodeFrameNumber()


def is_atari_id(env_id):
    return gym.spec(env_id).entry_point in (ATARI_ENTRY_POINT, ale_py.AtariEnv)


class ServedBatch:
    """What both kinds of batch send: the hello, and each reply's arrays from their reusable
    buffers (obs, rewards, terminated, truncated, and `info`/`reset_info`: (float64 fields, int32
    fields) of the step and of the auto-resets)."""

    def describe(self):
        """The hello: JSON text and the float64 bound arrays that follow it."""
        space = self.action_space
        if isinstance(space, gym.spaces.Discrete):
            action = dict(kind='discrete', n=int(space.n), start=int(space.start))
            bounds = [*self.obs_bounds]
        elif isinstance(space, gym.spaces.Box):
            action = dict(kind='box', shape=list(space.shape))
            bounds = [*self.obs_bounds, space.low.astype('<f8').ravel(), space.high.astype('<f8').ravel()]
        else:
            raise ValueError(f'action space {space} is neither Discrete nor Box')
        text = dict(protocol=PROTOCOL_VERSION, numEnvs=self.num_envs, observation=self.obs_space,
                    action=action, atari=self.atari, actionMeanings=self.action_meanings,
                    infoFields=dict(f64=list(self.info[0]), i32=list(self.info[1])))
        return json.dumps(text).encode(), [b.astype('<f8').tobytes() for b in bounds]

    def reply_parts(self):
        (f64, i32), (reset_f64, reset_i32) = self.info, self.reset_info
        arrays = [self.obs, self.rewards, *f64.values(), *reset_f64.values(), *i32.values(), *reset_i32.values(),
                  self.terminated, self.truncated]
        return [a.data for a in arrays]


class EnvBatch(ServedBatch):
    """N copies of one env with same-step auto-reset, writing into reusable reply arrays."""

    def __init__(self, env_id, num_envs, make_kwargs, atari_options):
        self.num_envs = num_envs
        self.atari = is_atari_id(env_id) and atari_options is not None
        if self.atari:
            self._make_atari(env_id, make_kwargs, atari_options)
        else:
            self._make_plain(env_id, make_kwargs)
        self.rewards = np.zeros(num_envs, np.float64)
        self.terminated = np.zeros(num_envs, np.uint8)
        self.truncated = np.zeros(num_envs, np.uint8)

    def _make_atari(self, env_id, make_kwargs, options):
        # The agent step's frame skip is MaxAndSkip's, so the base env steps single frames.
        envs = [gym.make(env_id, **{**make_kwargs, 'frameskip': 1}).unwrapped for _ in range(self.num_envs)]
        height, width = envs[0].ale.getScreenDims()
        frame_shape = (WARP_SIZE, WARP_SIZE) if options['warpFrame'] else (height, width, 3)
        self.obs = np.zeros((self.num_envs, options['frameStack'], *frame_shape), np.uint8)
        self.envs = [DqnAtari(env, options, self.obs[i]) for i, env in enumerate(envs)]
        self.obs_space = dict(shape=list(self.obs.shape[1:]), dtype='uint8')
        self.obs_bounds = (np.zeros(self.obs[0].size), np.full(self.obs[0].size, 255.0))
        self.action_space = gym.spaces.Discrete(envs[0].action_space.n)
        self.action_meanings = envs[0].get_action_meanings()
        self.info, self.reset_info = self._info_arrays(), self._info_arrays()

    def _info_arrays(self):
        """Per-copy info of the Atari copies: (float64 fields, int32 fields); NaN means absent."""
        return ({name: np.zeros(self.num_envs) for name in INFO_F64_FIELDS},
                {name: np.zeros(self.num_envs, np.int32) for name in INFO_I32_FIELDS})

    def _make_plain(self, env_id, make_kwargs):
        first = gym.make(env_id, **make_kwargs)
        space = first.observation_space
        if not isinstance(space, gym.spaces.Box):
            raise ValueError(f'{env_id} observes a {space}; the bridge serves Box observations only')
        if space.dtype not in (np.uint8, np.float32, np.float64):
            raise ValueError(f'{env_id} observes dtype {space.dtype}; the bridge serves uint8 or float observations')
        dtype = np.uint8 if space.dtype == np.uint8 else np.float32
        self.envs = [first] + [gym.make(env_id, **make_kwargs) for _ in range(self.num_envs - 1)]
        self.obs = np.zeros((self.num_envs, *space.shape), dtype)
        self.obs_space = dict(shape=list(space.shape), dtype=np.dtype(dtype).name)
        self.obs_bounds = (space.low.astype(np.float64).ravel(), space.high.astype(np.float64).ravel())
        self.action_space = first.action_space
        self.action_meanings = None
        self.info = self.reset_info = ({}, {})

    def decode_actions(self, payload):
        space = self.action_space
        if isinstance(space, gym.spaces.Discrete):
            return decode_discrete_actions(payload, space, self.num_envs)
        return np.frombuffer(payload, '<f4').reshape(self.num_envs, *space.shape)

    def reset(self, seed):
        for i, env in enumerate(self.envs):
            copy_seed = None if seed == NO_SEED else seed + i
            if self.atari:
                env.reset(copy_seed)
                self._record_info(self.info, i, env, NAN, None)
            else:
                self.obs[i] = env.reset(seed=copy_seed)[0]
        self.rewards[:] = 0
        self.terminated[:] = 0
        self.truncated[:] = 0
        return []

    def step(self, actions):
        """Steps every copy; returns the final observations (bytes) of those that ended."""
        final_obs = []
        for i, env in enumerate(self.envs):
            if self.atari:
                reward, terminated, truncated, raw_reward, game_score = env.step(actions[i])
                self._record_info(self.info, i, env, raw_reward, game_score)
            else:
                obs, reward, terminated, truncated, _ = env.step(self._plain_action(actions[i]))
                self.obs[i] = obs
            self.rewards[i] = reward
            self.terminated[i] = terminated
            self.truncated[i] = truncated
            if terminated or truncated:
                final_obs.append(self.obs[i].tobytes())
                if self.atari:
                    env.auto_reset()
                    self._record_info(self.reset_info, i, env, NAN, None)
                else:
                    self.obs[i] = env.reset()[0]
        return final_obs

    def _plain_action(self, action):
        return int(action) if isinstance(self.action_space, gym.spaces.Discrete) else action

    @staticmethod
    def _record_info(info, i, env, raw_reward, game_score):
        f64, i32 = info
        f64['rawReward'][i] = raw_reward
        f64['gameScore'][i] = NAN if game_score is None else game_score
        f64['noops'][i] = env.noops if env.noops else NAN
        env.noops = 0
        i32['lives'][i], i32['frameNumber'][i], i32['episodeFrameNumber'][i] = env.counters()

    def render(self, index):
        """Copy `index`'s last emulator frame, RGB [height, width, 3] (Atari copies only)."""
        if not self.atari:
            raise ValueError('render serves the emulator screens of Atari ids only')
        if not 0 <= index < self.num_envs:
            raise ValueError(f'render: copy {index} of {self.num_envs}')
        env = self.envs[index]
        return env.screens[env.newest]

    def close(self):
        for env in self.envs:
            (env.env if self.atari else env).close()


def decode_discrete_actions(payload, space, num_envs):
    """The STEP payload of a Discrete action space: int32 [num_envs], each checked against it."""
    actions = np.frombuffer(payload, '<i4')
    if actions.size != num_envs:
        raise ValueError(f'got {actions.size} actions for {num_envs} copies')
    bad = (actions < space.start) | (actions >= space.start + space.n)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f'action {int(actions[i])} of copy {i} is outside Discrete({space.n})')
    return actions


class AleVectorBatch(ServedBatch):
    """N copies of an Atari game in ale-py's AtariVectorEnv (C++: emulation, frame skip, max-pool,
    grayscale, resize, frame stack, no-op and FIRE reset, on its own threads), with the protocol's
    same-step auto-reset and the learning signal of DqnAtari: with episodicLife a lost life ends the
    agent's episode while the game goes on (`life_loss_info`), rewards are clipped here so that the
    raw ones make the game score. Differences from DqnAtari by construction (README, "Atari
    backends"): the max-pool is of the two grayscale frames; a reset plays 0..noopMax-1 no-ops and
    FIRE for one frame, and a lost life has no reset at all (the agent presses FIRE itself); the
    reset frame stack is zero-padded; observations are resized with ALE's own filter.
    """

    # The info fields it can report: ALE does not say how many no-ops a reset played.
    F64_FIELDS = ('rawReward', 'gameScore')
    # Keyword arguments of gymnasium.make that AtariVectorEnv takes under the same name.
    MAKE_KWARGS = ('repeat_action_probability', 'full_action_space', 'max_num_frames_per_episode')

    def __init__(self, env_id, num_envs, make_kwargs, options, num_threads):
        from ale_py.vector_env import AtariVectorEnv
        unknown = sorted(set(make_kwargs) - set(self.MAKE_KWARGS))
        if unknown:
            raise ValueError(f'--atari-backend ale-vector takes the make keyword arguments {", ".join(self.MAKE_KWARGS)}, '
                             f'not {", ".join(unknown)}; use --atari-backend python for those')
        if not options['warpFrame']:
            raise ValueError('--atari-backend ale-vector serves 84x84 grayscale frames only (warpFrame); use --atari-backend python')
        kwargs = {**gym.spec(env_id).kwargs, **make_kwargs}
        self.num_envs = num_envs
        self.atari = True
        self.clip_rewards = options['clipRewards']
        self.env = AtariVectorEnv(
            kwargs['game'], num_envs, num_threads=num_threads, autoreset_mode='SameStep',
            frameskip=options['frameSkip'], stack_num=options['frameStack'], noop_max=options['noopMax'],
            use_fire_reset=options['fireReset'], episodic_life=False, life_loss_info=options['episodicLife'],
            reward_clipping=False, repeat_action_probability=kwargs['repeat_action_probability'],
            full_action_space=kwargs['full_action_space'], max_num_frames_per_episode=kwargs['max_num_frames_per_episode'])
        self.obs = np.zeros((num_envs, *self.env.single_observation_space.shape), np.uint8)
        self.obs_space = dict(shape=list(self.obs.shape[1:]), dtype='uint8')
        self.obs_bounds = (np.zeros(self.obs[0].size), np.full(self.obs[0].size, 255.0))
        self.action_space = self.env.single_action_space
        self.action_meanings = [action.name for action in self.env.ale.get_action_set()]
        self.rewards = np.zeros(num_envs, np.float64)
        self.terminated = np.zeros(num_envs, np.uint8)
        self.truncated = np.zeros(num_envs, np.uint8)
        self.game_scores = np.zeros(num_envs, np.float64)
        self.episode_frames = np.zeros(num_envs, np.int32)
        self.info = self._info_arrays()
        self.reset_info = self._info_arrays()

    def _info_arrays(self):
        return ({name: np.full(self.num_envs, NAN) for name in self.F64_FIELDS},
                {name: np.zeros(self.num_envs, np.int32) for name in INFO_I32_FIELDS})

    def decode_actions(self, payload):
        return decode_discrete_actions(payload, self.action_space, self.num_envs)

    def _record_counters(self, info, ale_info, copies):
        i32 = info[1]
        i32['lives'][copies] = ale_info['lives'][copies]
        i32['frameNumber'][copies] = ale_info['frame_number'][copies]
        i32['episodeFrameNumber'][copies] = ale_info['episode_frame_number'][copies]

    def reset(self, seed):
        obs, ale_info = self.env.reset(seed=None if seed == NO_SEED else seed)
        self.obs[...] = obs
        everyone = np.arange(self.num_envs)
        self._record_counters(self.info, ale_info, everyone)
        self.info[0]['rawReward'][:] = NAN
        self.info[0]['gameScore'][:] = NAN
        self.episode_frames[:] = ale_info['episode_frame_number']
        self.game_scores[:] = 0
        self.rewards[:] = 0
        self.terminated[:] = 0
        self.truncated[:] = 0
        return []

    def step(self, actions):
        """Steps every copy; returns the final observations (bytes) of those that ended."""
        obs, raw_rewards, terminated, truncated, ale_info = self.env.step(actions)
        self.obs[...] = obs
        raw = raw_rewards.astype(np.float64)
        self.game_scores += raw
        self.rewards[:] = np.sign(raw) if self.clip_rewards else raw
        self.terminated[:] = terminated
        self.truncated[:] = truncated
        ended = terminated | truncated
        # A same-step auto-reset shows as an episode frame count that did not grow: the game is
        # over (or truncated) and the info is the new game's; after a lost life it goes on.
        frames = ale_info['episode_frame_number']
        new_game = ended & (frames <= self.episode_frames)
        self.episode_frames[:] = frames
        f64 = self.info[0]
        f64['rawReward'][:] = raw
        f64['gameScore'][:] = np.where(new_game, self.game_scores, NAN)
        self.game_scores[new_game] = 0
        # A game's last step reports no lives left and, as ALE has moved on to the next game, the
        # frame counters of the step before.
        self._record_counters(self.info, ale_info, np.flatnonzero(~new_game))
        self.info[1]['lives'][new_game & terminated] = 0
        self._record_counters(self.reset_info, ale_info, np.flatnonzero(ended))
        if not ended.any():
            return []
        final = ale_info['final_obs']
        return [final[i].tobytes() for i in np.flatnonzero(ended)]

    def render(self, index):
        raise ValueError('render needs the emulator\'s RGB screens, which --atari-backend ale-vector does not keep; use --atari-backend python')

    def close(self):
        self.env.close()


def enlarge_pipe(fd):
    try:
        import fcntl
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or above /proc/sys/fs/pipe-max-size: the default size still works


def write_all(out, parts):
    for part in parts:
        out.write(part)
    out.flush()


def serve(batch, requests, out):
    while True:
        header = requests.read(REQUEST_HEADER.size)
        if len(header) < REQUEST_HEADER.size:
            return  # the client closed its end
        op, nbytes = REQUEST_HEADER.unpack(header)
        payload = requests.read(nbytes)
        if op == OP_CLOSE:
            return
        try:
            if op == OP_PING:
                write_all(out, [REPLY_HEADER.pack(STATUS_OK, 0)])
                continue
            if op == OP_RENDER:
                screen = batch.render(struct.unpack('<i', payload)[0])
                height, width, _ = screen.shape
                write_all(out, [REPLY_HEADER.pack(STATUS_OK, screen.nbytes), struct.pack('<II', height, width), screen.data])
                continue
            if op == OP_RESET:
                final_obs = batch.reset(struct.unpack('<q', payload)[0])
            elif op == OP_STEP:
                final_obs = batch.step(batch.decode_actions(payload))
            else:
                raise ValueError(f'unknown request op {op}')
        except Exception as error:  # reported to the client, which raises it there
            message = f'{type(error).__name__}: {error}'.encode()
            write_all(out, [REPLY_HEADER.pack(STATUS_ERROR, len(message)), message])
            continue
        write_all(out, [REPLY_HEADER.pack(STATUS_OK, len(final_obs)), *batch.reply_parts(), *final_obs])


def make_batch(args):
    make_kwargs, atari_options = json.loads(args.make_kwargs), json.loads(args.atari_options)
    preprocessed = is_atari_id(args.env_id) and atari_options is not None
    missing = [key for key in ATARI_OPTIONS if preprocessed and key not in atari_options]
    if missing:
        raise ValueError(f'--atari-options lacks {", ".join(missing)}')
    if preprocessed and args.atari_backend == 'ale-vector':
        return AleVectorBatch(args.env_id, args.num_envs, make_kwargs, atari_options, args.num_threads)
    return EnvBatch(args.env_id, args.num_envs, make_kwargs, atari_options)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--env-id', required=True)
    parser.add_argument('--num-envs', type=int, required=True)
    parser.add_argument('--make-kwargs', default='{}', help='JSON keyword arguments for gymnasium.make')
    parser.add_argument('--atari-options', default='null',
                        help='JSON object with every ATARI_OPTIONS key, or null for the raw frames of an Atari id')
    parser.add_argument('--atari-backend', choices=ATARI_BACKENDS, default='python',
                        help='who preprocesses Atari ids: ale-py\'s AtariVectorEnv, or DqnAtari here')
    parser.add_argument('--num-threads', type=int, default=1, help='emulator threads of --atari-backend ale-vector')
    args = parser.parse_args()

    # One thread per process: several servers and the learner share few cores.
    cv2.setNumThreads(1)
    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)
    gym.register_envs(ale_py)
    requests = os.fdopen(0, 'rb')
    out = os.fdopen(os.dup(1), 'wb')
    os.dup2(2, 1)  # stray prints of Python or of the emulator must not reach the protocol channel
    enlarge_pipe(0)
    enlarge_pipe(out.fileno())
    try:
        batch = make_batch(args)
        text, bounds = batch.describe()
    except Exception as error:
        message = f'{type(error).__name__}: {error}'.encode()
        write_all(out, [REPLY_HEADER.pack(STATUS_ERROR, len(message)), message])
        return 1
    write_all(out, [REPLY_HEADER.pack(STATUS_OK, len(text)), text, *bounds])
    try:
        serve(batch, requests, out)
    except BrokenPipeError:
        pass  # the client went away mid-reply
    finally:
        batch.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
