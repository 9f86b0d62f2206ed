"""Protection against the differencing attack: comparing a selection with a wider one.

Two filter states that differ by one code of one filter (``sector=state`` and ``sector=state,region``)
select nested domains; a reader who knows the groups' weights can subtract one figure from the other
and obtain the values of the difference, the respondents the wider selection adds. When those are
fewer than three, or fewer than three of them answer yes to a category, that difference would publish
a value resting on one or two workplaces. The narrower selection then hides the cell.

Hiding in the narrower selection is enough for every pair of nested selections within one filter, not
only for neighbours: the difference between a selection and any wider one is the union of the
one-code differences from the narrower selection, so if it rests on one or two respondents, so does
one of those, and the narrower selection hides the cell (see the README's disclosure section).
"""

from __future__ import annotations

from ..data.dimensions import BY_KEY
from ..data.filters import Filter


def wider_states(filt: Filter, keys) -> list[Filter]:
    """Return the filter states that add one code to one of the restricting filters `keys` of `filt`.

    A filter without codes selects everything and has no wider state; a single choice (the round) has none; a
    nested filter (sub-sector) widens by the codes found under its parent's chosen codes.

    >>> [f.sector for f in wider_states(Filter(sector=("state",)), ["sector"])]
    [('state', 'region'), ('state', 'municipality')]
    """
    out = []
    for key in keys:
        dim = BY_KEY[key]
        codes = getattr(filt, key) if dim.multiple else ()
        if not codes:
            continue
        found = dim.under(filt.codes(dim.within[0])) if dim.within else dim.codes  # a sub-sector: of the sectors
        for code in found:
            if code not in codes:
                wider = tuple(c for c in dim.codes if c in codes or c == code)  # in the order of the codes
                everything = dim.all_is_none and len(wider) == len(dim.codes)
                out.append(filt.replace(**{key: () if everything else wider}))  # as parse_filter makes it
    return out
