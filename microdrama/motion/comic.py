"""The embedded motion: a motion comic made from the storyboard's layers, no model weights.

Each shot is rigged once (`rig_shot`): its backdrop, each character, its props and its
foreground as separate sprites at their own depth, and every face state a character needs (the
mouth open by a few degrees, the eyes shut) as small patches. Frames are then composed from
the rig (`ShotRig.frames`) with PIL pastes and crops straight into the encoder's yuv420p planes
(motion/planes.py), which cost a few milliseconds a frame:

- the camera drifts, and every layer moves by the camera's offset times its depth, so near
  layers move more than far ones (parallax);
- characters breathe: a slow scale of about one per cent, anchored at their feet;
- beats have their own camera grammar: a push-in on a reveal, a shake on a slap, a snap zoom
  on the episode's cliffhanger;
- a character's mouth opens and closes with the loudness of its line in the source dub, and
  everyone blinks at seeded, natural intervals.

A rig is saved as PNGs and one JSON file (`save_rig`, `load_rig`), so the motion stage paints it
once and the cut and every burned-in variant compose the same frames from it.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from microdrama.av.wav import read_wav
from microdrama.media import read_json, write_json
from microdrama.motion.planes import PIXEL_FORMAT, FrameBuffer, Planes, backdrop_planes
from microdrama.picture.brush import matte
from microdrama.picture.characters import Face
from microdrama.picture.figure import Figure
from microdrama.picture.storyboard import (
    SUPERSAMPLE,
    Actor,
    downsample,
    graded,
    plan_shot,
)
from microdrama.words.story import Shot
from microdrama.words.template import GenreTemplate

MOUTH_LEVELS = (0.0, 0.35, 0.7, 1.0)  # 0: the emotion's own closed mouth
DEPTH = {"backdrop": 0.3, "far": 0.75, "near": 1.0, "props": 1.2, "foreground": 1.7}
DRIFT = 6.0  # px a second the camera drifts, at depth 1: a step of a pixel every 4 frames
SHAKE = 9.0  # px of a slap's shake at its start
SHAKE_SECONDS = 0.5
PUSH_IN = 1.07  # a reveal's zoom at the end of its shot
SNAP = 1.16  # the cliffhanger's snap zoom
SNAP_FRAMES = 4
BREATH = 0.012  # of a character's height
BREATH_SECONDS = 3.6
BREATH_STEP = 2  # px: breathing is drawn in whole steps of this many pixels of height
BLINK_FRAMES = 3
BLINK_GAP = (2.0, 5.5)  # seconds between blinks (people blink every 2-6 s)
SPEECH_FLOOR = 0.15  # of a line's loud level: quieter than this, the mouth closes
REVEAL = re.compile(r"\b(reveal|unmask|lifts? (her|his|the) veil|recogni[sz]|face goes)\w*", re.I)
SLAP = re.compile(
    r"\b(slap|strike|struck|hit|punch|grab|shove|throw|threw|smash|slam|drop|fall|fell)\w*", re.I
)
RIG = "rig.json"
RIG_WORKERS = 2


@dataclass(frozen=True)
class Camera:
    """How a shot's camera moves: a drift (direction +1 or -1), and its beat's move on top."""

    move: str  # "drift", "push", "shake" or "snap"
    direction: int
    frames: int
    at: int = 0  # the frame a shake or a snap starts on
    fps: int = 24

    @property
    def drift(self) -> float:
        """How far the camera drifts over the shot, at depth 1, in pixels."""
        return DRIFT * self.frames / self.fps

    def reach(self) -> float:
        """The farthest the camera gets from where it stands at rest, at depth 1."""
        return self.drift / 2 + (SHAKE if self.move == "shake" else 0.0)

    def offset(self, n: int) -> tuple[float, float]:
        """The camera's offset at frame `n`, in pixels at depth 1: a steady drift (steady, so
        that some layer moves every few frames from the first to the last), and a shake."""
        t = n / max(self.frames - 1, 1) - 0.5
        dx, dy = self.direction * self.drift * t, self.drift * 0.25 * t
        if self.move == "shake" and self.at <= n < self.at + SHAKE_SECONDS * self.fps:
            k = n - self.at
            decay = 1 - k / (SHAKE_SECONDS * self.fps)
            dx += SHAKE * decay * math.sin(k * 2.1)
            dy += SHAKE * decay * math.cos(k * 2.9)
        return dx, dy

    def zoom(self, n: int) -> float:
        if self.move == "push":
            t = n / max(self.frames - 1, 1)
            return 1 + (PUSH_IN - 1) * t * t * (3 - 2 * t)
        if self.move == "snap" and n >= self.at:
            return 1 + (SNAP - 1) * min(1.0, (n - self.at + 1) / SNAP_FRAMES)
        return 1.0


def camera_for(shot: Shot, index: int, last: bool, frames: int, fps: int) -> Camera:
    """A shot's camera grammar: a snap zoom on the episode's last cliffhanger shot, a shake on
    a slap (or a grab, a fall), a push-in on a reveal (a twist, a veil lifted), else a drift."""
    direction = -1 if index % 2 else 1
    first_line = min(frames - 1, round(0.25 * fps))
    if last and shot.beat == "cliffhanger":
        return Camera("snap", direction, frames, max(0, frames - round(1.2 * fps)), fps)
    if SLAP.search(shot.action):
        return Camera("shake", direction, frames, first_line, fps)
    if shot.beat == "twist" or REVEAL.search(shot.action):
        return Camera("push", direction, frames, 0, fps)
    return Camera("drift", direction, frames, 0, fps)


# --- the dub drives the mouths; seeded blinks -------------------------------------------------


@dataclass(frozen=True)
class Spoken:
    """A line of the source dub as the picture plays it: who says it, from which frame of the
    episode, and its WAV."""

    speaker: str
    start_frame: int
    wav: Path


def mouth_levels(wav: Path, fps: int) -> list[int]:
    """Per video frame of the clip, how far the mouth opens (an index into MOUTH_LEVELS): the
    loudness of that frame's sound against the line's loud level, so pauses close it."""
    rate, samples = read_wav(wav)
    per = max(1, round(rate / fps))
    count = max(1, -(-samples.size // per))
    padded = np.pad(samples, (0, count * per - samples.size))
    rms = np.sqrt((padded.reshape(count, per).astype(np.float64) ** 2).mean(axis=1))
    loud = float(np.percentile(rms, 90)) or 1.0
    level = rms / loud
    out = np.zeros(count, int)
    out[level >= SPEECH_FLOOR] = 1
    out[level >= 0.5] = 2
    out[level >= 0.85] = 3
    return out.tolist()


def blinks(key: str, frames: int, fps: int) -> list[int]:
    """The frames a character's eyes are shut in a shot, seeded by `key`: a blink of
    BLINK_FRAMES every few seconds, at intervals drawn as people blink."""
    rng = random.Random(f"blink|{key}")
    shut, t = [], rng.uniform(0.4, 2.5)
    while t * fps < frames:
        first = round(t * fps)
        shut += [f for f in range(first, first + BLINK_FRAMES) if f < frames]
        t += rng.uniform(*BLINK_GAP)
    return shut


# --- the rig ----------------------------------------------------------------------------------


@dataclass
class Sprite:
    """An RGBA picture and where its top-left corner sits at rest, in frame pixels."""

    image: Image.Image
    x: int
    y: int
    depth: float


@dataclass
class Puppet:
    """A character's sprite, its face patches (mouth level, eyes open) -> RGBA patch pasted at
    `face_at` on the sprite, and per frame of the shot its mouth level and whether it blinks."""

    id: str
    sprite: Sprite
    face_at: tuple[int, int]
    faces: dict[tuple[int, bool], Image.Image]
    mouth: list[int]
    shut: set[int]
    phase: float
    _cache: dict[tuple[int, int, bool], Planes] = field(default_factory=dict, repr=False)
    _faces: dict[tuple[int, bool], Planes] = field(default_factory=dict, repr=False)
    _still: Planes | None = field(default=None, repr=False)

    def state(self, n: int) -> tuple[int, bool]:
        return (self.mouth[n] if n < len(self.mouth) else 0), n not in self.shut

    def picture(self, n: int, fps: int) -> tuple[Planes, int]:
        """The sprite at frame `n` (breathing, talking, blinking), and how far it rises."""
        base = self.sprite.image
        phase = 2 * math.pi * n / (BREATH_SECONDS * fps) + self.phase
        step = round(BREATH * base.height * math.sin(phase) / BREATH_STEP) * BREATH_STEP
        level, eyes = self.state(n)
        key = (step, level, eyes)
        if key not in self._cache:
            planes = self._breathing(step)
            if (level, eyes) != (0, True):
                planes = planes.replaced(self._face(level, eyes), self.face_at)
            self._cache[key] = planes
        return self._cache[key], step

    def _face(self, level: int, eyes: bool) -> Planes:
        if (level, eyes) not in self._faces:
            self._faces[level, eyes] = Planes.of(self.faces[level, eyes])
        return self._faces[level, eyes]

    def _breathing(self, step: int) -> Planes:
        """The sprite `step` rows taller (or shorter) below the face: rows of the chest and
        below repeated (or dropped) evenly, so the head rises and falls unscaled and its face
        patches still fit. A stretch of a per cent needs no resampling."""
        key = (step, 0, True)
        if key in self._cache:
            return self._cache[key]
        if self._still is None:
            self._still = Planes.of(self.sprite.image)
        height = self.sprite.image.height
        neck = min(height - 1, self.face_at[1] + self.faces[0, False].height)
        below = height - neck
        rows = np.concatenate(
            [np.arange(neck), neck + (np.arange(below + step) * below // (below + step))]
        )
        self._cache[key] = self._still.rows(rows)
        return self._cache[key]


@dataclass
class ShotRig:
    """Everything one shot's frames are composed from."""

    backdrop: Image.Image  # RGB, larger than the frame by `margin` on every side
    margin: int
    puppets: list[Puppet]  # back to front
    props: list[Sprite]  # props, then the foreground
    camera: Camera
    width: int
    height: int

    def compose(self, frame: FrameBuffer) -> Iterator[int]:
        """Compose the shot's frames one after another into `frame`, yielding each frame's
        number once it is there, before the camera's zoom (ffmpeg's: `zoom_filter`). A frame
        whose every layer stands where it stood in the one before, in the same state, is left
        as it was."""
        m = self.margin
        backdrop = backdrop_planes(self.backdrop)
        props = [Planes.of(s.image) for s in self.props]
        last = None
        for n in range(self.camera.frames):
            dx, dy = self.camera.offset(n)
            bd = DEPTH["backdrop"]
            x0, y0 = m - round(dx * bd), m - round(dy * bd)  # the picture moves on
            placed = []
            for puppet in self.puppets:
                img, rise = puppet.picture(n, self.camera.fps)
                placed.append((img, self.where(puppet.sprite, n, rise)))
            for s, planes in zip(self.props, props, strict=True):
                placed.append((planes, self.where(s, n)))
            key = (x0, y0, *((id(img), at) for img, at in placed))
            if key != last:
                frame.fill(backdrop, x0, y0)
                for img, at in placed:
                    frame.paste(img, at)
                last = key
            yield n

    def where(self, sprite: Sprite, n: int, rise: int = 0) -> tuple[int, int]:
        """Where the sprite's top-left corner is on frame `n`: moved by the camera times its
        depth, and raised by `rise` pixels (a breath)."""
        dx, dy = self.camera.offset(n)
        return sprite.x + round(dx * sprite.depth), sprite.y - rise + round(dy * sprite.depth)

    def frames(self) -> Iterator[np.ndarray]:
        """The shot's frames before the zoom, each its own copy of the yuv420p bytes."""
        frame = FrameBuffer(self.width, self.height)
        for _ in self.compose(frame):
            yield frame.data.copy()

    def focus(self) -> tuple[float, float]:
        """Where a zoom closes in: the nearest character's face, else the frame's middle."""
        if not self.puppets:
            return self.width / 2, self.height / 2
        p = self.puppets[-1]
        patch = p.faces[0, False]
        return (
            p.sprite.x + p.face_at[0] + patch.width / 2,
            p.sprite.y + p.face_at[1] + patch.height / 2,
        )


def _sprite(layer: Image.Image, depth: float, grade: str, reach: float) -> Sprite | None:
    """A full-frame RGBA layer cropped to what is drawn on it, and graded; where the drawing is
    cut by the frame's edge, its edge pixels are repeated past it so that moving it never
    shows a seam."""
    box = layer.getbbox()
    if box is None:
        return None
    x0, y0, x1, y1 = box
    part = np.asarray(graded(layer.crop(box), grade, (x0, y0), layer.size))
    pad = math.ceil(reach * depth) + 2  # the farthest the camera moves this layer, and some
    pads = [
        (pad if y0 == 0 else 0, pad if y1 == layer.height else 0),
        (pad if x0 == 0 else 0, pad if x1 == layer.width else 0),
        (0, 0),
    ]
    part = np.pad(part, pads, mode="edge")
    return Sprite(Image.fromarray(part, "RGBA"), x0 - pads[1][0], y0 - pads[0][0], depth)


def _face_box(figure: Figure) -> tuple[int, int, int, int]:
    """The part of a head (in frame pixels) that talking and blinking repaint: the eyes and
    the mouth at its widest, inside the head's outline."""
    s = SUPERSAMPLE
    left = math.floor((figure.cx - figure.hw * 0.78) / s)
    right = math.ceil((figure.cx + figure.hw * 0.78) / s)
    top = math.floor((figure.head_y - figure.head * 0.09) / s)
    bottom = math.ceil((figure.head_y + figure.head * 0.42) / s)
    return left, top, right, bottom


def _painted(actor: Actor, face: Face, box: tuple[int, int, int, int]) -> Image.Image:
    """The character drawn with `face`, only inside `box` (frame pixels), ungraded: painted on
    a supersampled canvas just larger than the box (by more than the downsampling kernel
    reaches), so it costs the box's pixels, not a frame's, and matches the whole layer there."""
    s, pad = SUPERSAMPLE, 4
    left, top, right, bottom = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
    f = actor.figure
    moved = Figure(f.cx - left * s, f.head_y - top * s, f.head, f.full_body)
    shifted = Actor(actor.who, moved, face, actor.held, actor.style)
    size = ((right - left) * s, (bottom - top) * s)
    patch = downsample(matte(size, [shifted]), right - left, bottom - top)
    return patch.crop((pad, pad, pad + box[2] - box[0], pad + box[3] - box[1]))


def _face_patch(
    actor: Actor, face: Face, box: tuple[int, int, int, int], grade: str, frame: tuple[int, int]
) -> Image.Image:
    """The face box of the character drawn with `face`, graded where it stands."""
    return graded(_painted(actor, face, box), grade, box[:2], frame)


def character_layer(actor: Actor, width: int, height: int) -> Image.Image:
    """The character alone on a frame-sized RGBA layer (what `paint_layers` gives), painted
    only within a few head heights of it."""
    f, s = actor.figure, SUPERSAMPLE
    box = (
        max(0, math.floor((f.cx - 3.5 * f.head) / s)),
        max(0, math.floor((f.top - 0.8 * f.head) / s)),
        min(width, math.ceil((f.cx + 3.5 * f.head) / s)),
        height,
    )
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    layer.paste(_painted(actor, actor.face, box), box[:2])
    return layer


def rig_shot(
    template: GenreTemplate,
    shot: Shot,
    frames: int,
    camera: Camera,
    spoken: list[tuple[str, int, list[int]]],
    blink_key: str,
    width: int,
    height: int,
) -> ShotRig:
    """One shot's rig: its layers painted, graded and cropped to sprites, each character's face
    patches, and who talks when (`spoken`: speaker, first frame in the shot, mouth levels)."""
    plan = plan_shot(template, shot, width, height)
    grade = template.style.grade
    reach = camera.reach()
    margin = math.ceil(DEPTH["backdrop"] * reach) + 2
    backdrop = graded(plan.backdrop.resize((width, height), Image.LANCZOS), grade).resize(
        (width + 2 * margin, height + 2 * margin), Image.BILINEAR
    )
    actors = [a for _, a in plan.characters if isinstance(a, Actor)]  # back to front
    puppets = []
    for order, actor in enumerate(actors):
        nearest = order == len(actors) - 1
        layer = character_layer(actor, width, height)
        sprite = _sprite(layer, DEPTH["near" if nearest else "far"], grade, reach)
        if sprite is None:
            continue
        cid = actor.who.id
        box = _face_box(actor.figure)
        mouth = [0] * frames
        for speaker, first, levels in spoken:
            if speaker == cid:
                for k, level in enumerate(levels):
                    if 0 <= first + k < frames:
                        mouth[first + k] = level
        shut = set(blinks(f"{blink_key}|{cid}", frames, camera.fps))
        # only the face states the shot shows are painted (eyes shut always: a zoom's focus)
        states = {(level, n not in shut) for n, level in enumerate(mouth)} | {(0, False)}
        faces = {
            (level, eyes): _face_patch(
                actor,
                Face(actor.face.emotion, MOUTH_LEVELS[level], eyes),
                box,
                grade,
                (width, height),
            )
            for level, eyes in sorted(states - {(0, True)})
        }
        phase = random.Random(f"breath|{blink_key}|{cid}").uniform(0, 2 * math.pi)
        at = (box[0] - sprite.x, box[1] - sprite.y)
        puppets.append(Puppet(cid, sprite, at, faces, mouth, shut, phase))
    size = (plan.canvas.width, plan.canvas.height)
    props = [
        sprite
        for pens, depth in ((plan.props, DEPTH["props"]), (plan.foreground, DEPTH["foreground"]))
        if pens
        and (sprite := _sprite(downsample(matte(size, pens), width, height), depth, grade, reach))
    ]
    return ShotRig(backdrop, margin, puppets, props, camera, width, height)


def rig_episode(
    template: GenreTemplate,
    shots: list[Shot],
    frame_counts: list[int],
    spoken: list[Spoken],
    seed: str,
    width: int,
    height: int,
    fps: int,
) -> list[ShotRig]:
    """Every shot's rig; `spoken` places the source dub's lines on the episode's frames.

    Two shots are rigged at a time: painting is Pillow's drawing, resampling and blurring,
    which release the GIL (as the storyboard painter's keyframes are painted)."""
    if len(shots) != len(frame_counts):
        raise ValueError(f"{len(shots)} shots but {len(frame_counts)} frame counts")
    firsts = [sum(frame_counts[:index]) for index in range(len(shots))]

    def rig(index: int) -> ShotRig:
        shot, frames, first = shots[index], frame_counts[index], firsts[index]
        camera = camera_for(shot, index, index == len(shots) - 1, frames, fps)
        talking = [
            (line.speaker, line.start_frame - first, mouth_levels(line.wav, fps))
            for line in spoken
            if first <= line.start_frame < first + frames
        ]
        return rig_shot(template, shot, frames, camera, talking, f"{seed}|{index}", width, height)

    with ThreadPoolExecutor(RIG_WORKERS) as pool:
        return list(pool.map(rig, range(len(shots))))


RAW_PIXELS = PIXEL_FORMAT  # the pixel format of `episode_raw`'s frames


def episode_raw(rigs: list[ShotRig]) -> Iterator[memoryview]:
    """Every frame of the episode, shot after shot, as raw yuv420p bytes: the same memory
    each time, overwritten by the next frame, so write each one before asking for the next."""
    if not rigs:
        return
    frame = FrameBuffer(rigs[0].width, rigs[0].height)
    view = memoryview(frame.data)
    for rig in rigs:
        for _ in rig.compose(frame):
            yield view


def zoom_filter(rigs: list[ShotRig]) -> str:
    """The camera's zooms (push-ins, snap zooms) as one ffmpeg `zoompan` over the episode's
    frames, closing in on each zoomed shot's focus; "" when no shot zooms.

    Zooming resamples the whole frame, which ffmpeg's scaler does several times faster than
    PIL; one expression over the frame number (`in`) covers every shot."""
    zooms, xs, ys, first = [], [], [], 0
    for rig in rigs:
        cam, last = rig.camera, first + rig.camera.frames - 1
        inside = f"between(in,{first},{last})"
        if cam.move == "push":
            t = f"((in-{first})/{max(cam.frames - 1, 1)})"
            zooms.append(f"{inside}*{PUSH_IN - 1:.4f}*{t}*{t}*(3-2*{t})")
        elif cam.move == "snap":
            at = first + cam.at
            zooms.append(f"between(in,{at},{last})*{SNAP - 1:.4f}*min(1,(in-{at}+1)/{SNAP_FRAMES})")
        if cam.move in ("push", "snap"):
            fx, fy = rig.focus()
            xs.append(f"{inside}*{fx:.1f}")
            ys.append(f"{inside}*{fy:.1f}")
        first = last + 1
    if not zooms:
        return ""
    w, h = rigs[0].width, rigs[0].height
    z = "+".join(["1", *zooms])
    fx, fy = "+".join(xs), "+".join(ys)
    return (
        f"zoompan=z='{z}':d=1:s={w}x{h}:fps={rigs[0].camera.fps}"
        f":x='clip({fx}-iw/zoom/2,0,iw-iw/zoom)':y='clip({fy}-ih/zoom/2,0,ih-ih/zoom)'"
    )


# --- saved and loaded -------------------------------------------------------------------------


def save_rig(rigs: list[ShotRig], folder: Path) -> None:
    """The rigs as PNGs (the fastest zlib level: each is read once per encode) and RIG."""
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    for n, rig in enumerate(rigs):
        rig.backdrop.save(folder / f"shot_{n:02d}_backdrop.png", compress_level=1)
        puppets = []
        for p in rig.puppets:
            p.sprite.image.save(folder / f"shot_{n:02d}_{p.id}.png", compress_level=1)
            for (level, eyes), patch in p.faces.items():
                face = folder / f"shot_{n:02d}_{p.id}_face{level}{int(eyes)}.png"
                patch.save(face, compress_level=1)
            puppets.append(
                {
                    "id": p.id,
                    "x": p.sprite.x,
                    "y": p.sprite.y,
                    "depth": p.sprite.depth,
                    "face_at": list(p.face_at),
                    "faces": [[level, int(eyes)] for level, eyes in p.faces],
                    "mouth": p.mouth,
                    "shut": sorted(p.shut),
                    "phase": p.phase,
                }
            )
        props = []
        for k, s in enumerate(rig.props):
            s.image.save(folder / f"shot_{n:02d}_layer{k}.png", compress_level=1)
            props.append({"x": s.x, "y": s.y, "depth": s.depth})
        shots.append(
            {
                "margin": rig.margin,
                "camera": asdict(rig.camera),
                "puppets": puppets,
                "props": props,
                "size": [rig.width, rig.height],
            }
        )
    write_json(folder / RIG, {"shots": shots})


def _open(path: Path) -> Image.Image:
    with Image.open(path) as img:
        img.load()
        return img


def load_rig(folder: Path) -> list[ShotRig]:
    """The rigs `save_rig` wrote."""
    rigs = []
    for n, shot in enumerate(read_json(folder / RIG)["shots"]):
        puppets = []
        for p in shot["puppets"]:
            faces = {
                (level, bool(eyes)): _open(folder / f"shot_{n:02d}_{p['id']}_face{level}{eyes}.png")
                for level, eyes in p["faces"]
            }
            sprite = Sprite(
                _open(folder / f"shot_{n:02d}_{p['id']}.png"), p["x"], p["y"], p["depth"]
            )
            puppets.append(
                Puppet(
                    p["id"],
                    sprite,
                    tuple(p["face_at"]),
                    faces,
                    p["mouth"],
                    set(p["shut"]),
                    p["phase"],
                )
            )
        props = [
            Sprite(_open(folder / f"shot_{n:02d}_layer{k}.png"), s["x"], s["y"], s["depth"])
            for k, s in enumerate(shot["props"])
        ]
        width, height = shot["size"]
        rigs.append(
            ShotRig(
                _open(folder / f"shot_{n:02d}_backdrop.png"),
                shot["margin"],
                puppets,
                props,
                Camera(**shot["camera"]),
                width,
                height,
            )
        )
    return rigs


def talking_frames(rigs: list[ShotRig]) -> dict[str, list[int]]:
    """Per character, the episode's frames on which its mouth is open."""
    out: dict[str, list[int]] = {}
    first = 0
    for rig in rigs:
        for p in rig.puppets:
            out.setdefault(p.id, []).extend(first + n for n, lv in enumerate(p.mouth) if lv)
        first += rig.camera.frames
    return out
