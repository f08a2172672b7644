"""The keyboard loop of the step-through viewer: n(ext), p(revious), j(ump) N, q(uit).

Plain line input (Enter after each key) rather than a full-screen application: it works in any
terminal, over ssh and in an IDE console, and the frames stay in the scroll-back for a student to
look back at. Input and output are passed in, so the loop is tested with a list of commands.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from lso_sim.viewer.frame import DEFAULT_WINDOW, render_frame
from lso_sim.viewer.stepper import Stepper

HELP = "[n]ext (Enter)  [p]revious  [j] N jump to step N  [f]irst  [l]ast  [q]uit"


def apply_command(stepper: Stepper, command: str) -> str | None:
    """Move ``stepper`` as ``command`` says; returns a message to show, or ``None``.

    Returns ``"quit"`` for q. Unknown commands return the help line.
    """
    words = command.strip().lower().split()
    if not words or words[0] in ("n", "next"):
        return None if stepper.next() else "already at the last step"
    verb = words[0]
    if verb in ("q", "quit", "exit"):
        return "quit"
    if verb in ("p", "prev", "previous"):
        return None if stepper.previous() else "already at the first step"
    if verb in ("f", "first"):
        stepper.jump(1)
        return None
    if verb in ("l", "last"):
        stepper.jump(stepper.total)
        return None
    if verb in ("j", "jump"):
        target = words[1] if len(words) > 1 else ""
        if not target.isdigit():
            return f"jump needs a step number between 1 and {stepper.total}"
        stepper.jump(int(target))
        return None
    if verb.isdigit():
        stepper.jump(int(verb))
        return None
    return HELP


def interact(
    stepper: Stepper,
    console: Console,
    read: Callable[[str], str] = input,
    *,
    window: int = DEFAULT_WINDOW,
) -> None:
    """Show frames and follow commands until q or end of input."""
    if stepper.position == 0:
        stepper.jump(1)
    message: str | None = None
    while True:
        if console.is_terminal:
            console.clear()
        console.print(render_frame(stepper, window=window), markup=False, highlight=False, end="")
        if message:
            console.print(message, markup=False, highlight=False)
        try:
            command = read(f"{HELP}\n> ")
        except (EOFError, KeyboardInterrupt):
            return
        message = apply_command(stepper, command)
        if message == "quit":
            return
