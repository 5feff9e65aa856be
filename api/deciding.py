"""The decision unit as a request dependency, for the station and admin routes that decide
identity. Kept out of ``api.deps`` so agency routes never import the 1:N gallery."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from enrollment.decider import Decider


def get_decider(request: Request) -> Decider:
    """The process's decision unit (``enrollment.decider``): every identity decision."""
    decider: Decider = request.app.state.decider
    return decider


DeciderDep = Annotated[Decider, Depends(get_decider)]
