"""Power diagrams (weighted Voronoi) clipped to a domain, with weights fitted to target areas.

The power cell of site ``p_i`` with weight ``w_i`` is the set of points ``x`` where
``|x - p_i|² - w_i`` is smallest. Equal weights give the ordinary Voronoi diagram;
raising a weight grows its cell. The diagram is the projection of the lower convex
hull of the lifted points ``(x, y, x² + y² - w)`` (``scipy.spatial.ConvexHull``):
each lower facet is a diagram vertex, each pair of neighbouring lower facets a cell
edge. Eight far-away dummy sites bound the outer cells. Coordinates are shifted to
their mean and scaled to kilometres inside this module, for numerical stability.

:func:`fit_power_weights` finds weights whose cells, clipped to a domain, have given
areas, by a damped Newton iteration: the Jacobian of the cell areas with respect to
the weights is a graph Laplacian whose entries are ``shared_edge_length / (2 ·
site_distance)``; the step is halved while a cell collapses or the error grows.

Pure numpy / scipy / shapely: arrays in, new arrays out; no registry, no files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.sparse.linalg import spsolve
from scipy.spatial import ConvexHull, QhullError

from geo._errors import LayerError

log = logging.getLogger(__name__)

#: Dummy sites sit on a circle this many times the sites' extent away from their mean.
DUMMY_FACTOR = 20.0
#: Side (internal units, km) of the tiles a domain is cut into while fitting.
TILE_KM = 20.0
#: Shortest damped step tried before the fit gives up (1 = a full Newton step).
MIN_STEP = 1.0 / 1024
#: A cell smaller than this share of its target area counts as collapsed.
COLLAPSE_SHARE = 0.01


@dataclass
class PowerCells:
    """A power diagram clipped to a domain (coordinates in the caller's units).

    Attributes
    ----------
    cells : numpy.ndarray of shapely geometries
        One clipped cell per site (possibly empty), in the input coordinates.
    areas : numpy.ndarray
        Cell areas (input units squared).
    edges : numpy.ndarray
        ``(k, 2)`` site index pairs that share an edge inside the domain.
    edge_length : numpy.ndarray
        Length of each shared edge inside the domain (input units).
    """

    cells: np.ndarray
    areas: np.ndarray
    edges: np.ndarray
    edge_length: np.ndarray


@dataclass
class PowerFit:
    """Result of :func:`fit_power_weights`.

    Attributes
    ----------
    weights : numpy.ndarray
        Fitted weights (input units squared).
    diagram : PowerCells
        The clipped diagram for these weights.
    iterations : int
        Newton steps taken.
    max_rel_error : float
        Largest ``|area - target| / target``.
    converged : bool
        Whether ``max_rel_error <= tol``.
    steps : list of float
        Step length (1 = full Newton step) of each iteration.
    """

    weights: np.ndarray
    diagram: PowerCells
    iterations: int
    max_rel_error: float
    converged: bool
    steps: list[float] = field(default_factory=list)


class _Frame:
    """Shift to the sites' mean and scale metres (or any unit) to ``scale`` units."""

    def __init__(self, sites: np.ndarray, scale: float) -> None:
        self.mean = sites.mean(axis=0)
        self.scale = scale

    def to_local(self, xy: np.ndarray) -> np.ndarray:
        return (xy - self.mean) / self.scale

    def to_input(self, xy: np.ndarray) -> np.ndarray:
        return xy * self.scale + self.mean


def _check_sites(sites: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    sites = np.asarray(sites, dtype=float)
    if sites.ndim != 2 or sites.shape[1] != 2 or len(sites) < 1:
        raise LayerError(f"sites must be an (n, 2) array, got shape {sites.shape}")
    if not np.isfinite(sites).all():
        raise LayerError("sites contain NaN or infinite coordinates")
    if len(np.unique(sites, axis=0)) != len(sites):
        raise LayerError("sites must be distinct (two or more share a position)")
    w = np.zeros(len(sites)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(sites),) or not np.isfinite(w).all():
        raise LayerError(f"weights must be {len(sites)} finite numbers")
    return sites, w


def _raw_diagram(local: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unclipped cells, edge pairs and edge segments of a power diagram (local units)."""
    n = len(local)
    extent = max(float(np.ptp(local, axis=0).max()), 1.0)
    angle = np.arange(8) * np.pi / 4
    dummies = DUMMY_FACTOR * extent * np.column_stack([np.cos(angle), np.sin(angle)])
    pts = np.vstack([local, dummies])
    ww = np.concatenate([w, np.zeros(8)])
    lifted = np.column_stack([pts, (pts ** 2).sum(axis=1) - ww])
    try:
        hull = ConvexHull(lifted, qhull_options="Qt")
    except QhullError as err:
        raise LayerError(f"power diagram of {n} sites failed: {err}") from err
    lower = hull.equations[:, 2] < 0
    eq = hull.equations
    with np.errstate(divide="ignore", invalid="ignore"):
        vert = np.column_stack([-eq[:, 0] / eq[:, 2], -eq[:, 1] / eq[:, 2]]) / 2.0

    facets = np.flatnonzero(lower)
    simp = hull.simplices[facets]
    site = simp.ravel()
    fidx = np.repeat(facets, 3)
    keep = site < n
    site, fidx = site[keep], fidx[keep]
    vx = vert[fidx]
    count = np.bincount(site, minlength=n)
    centre = np.column_stack([np.bincount(site, vx[:, 0], n), np.bincount(site, vx[:, 1], n)])
    centre = centre / np.maximum(count, 1)[:, None]
    ang = np.arctan2(vx[:, 1] - centre[site, 1], vx[:, 0] - centre[site, 0])
    order = np.lexsort((ang, site))
    site, vx = site[order], vx[order]
    cells = np.full(n, shapely.Polygon(), dtype=object)
    ok = count >= 3
    if ok.any():
        sel = ok[site]
        ids, dense = np.unique(site[sel], return_inverse=True)
        cells[ids] = shapely.polygons(shapely.linearrings(vx[sel], indices=dense))

    nb = hull.neighbors[facets]
    pairs, segs = [], []
    for m in range(3):
        g = nb[:, m]
        both = lower[g] & (facets < g)
        other = [k for k in range(3) if k != m]
        ij = simp[both][:, other]
        real = (ij < n).all(axis=1)
        pairs.append(ij[real])
        segs.append(np.stack([vert[facets[both][real]], vert[g[both][real]]], axis=1))
    pairs = np.sort(np.vstack(pairs), axis=1) if pairs else np.empty((0, 2), int)
    segs = np.concatenate(segs) if segs else np.empty((0, 2, 2))
    return cells, pairs, segs


class _Domain:
    """A polygonal domain, also cut into grid tiles so that clipping stays local."""

    def __init__(self, geom, tile: float) -> None:
        self.geom = geom
        shapely.prepare(geom)
        x1, y1, x2, y2 = shapely.bounds(geom)
        xs = np.arange(x1, x2 + tile, tile)
        ys = np.arange(y1, y2 + tile, tile)
        gx, gy = np.meshgrid(xs[:-1], ys[:-1])
        boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + tile, gy.ravel() + tile)
        boxes = boxes[shapely.intersects(geom, boxes)]
        tiles = shapely.intersection(boxes, geom)
        self.tiles = tiles[~shapely.is_empty(tiles)]
        self.tree = shapely.STRtree(self.tiles)

    def areas(self, cells: np.ndarray) -> np.ndarray:
        ci, ti = self.tree.query(cells, predicate="intersects")
        part = shapely.area(shapely.intersection(cells[ci], self.tiles[ti]))
        return np.bincount(ci, part, len(cells))

    def lengths(self, lines: np.ndarray) -> np.ndarray:
        li, ti = self.tree.query(lines, predicate="intersects")
        part = shapely.length(shapely.intersection(lines[li], self.tiles[ti]))
        return np.bincount(li, part, len(lines))


def _clip(cells: np.ndarray, pairs: np.ndarray, segs: np.ndarray, domain: _Domain, *,
          final: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Areas (and, if ``final``, geometries) of the cells inside the domain; shared edges."""
    inside = shapely.contains_properly(domain.geom, cells)
    edge = ~inside & ~shapely.is_empty(cells)
    areas = shapely.area(cells)
    clipped = cells.copy()
    if final:
        clipped[edge] = shapely.intersection(cells[edge], domain.geom)
        areas[edge] = shapely.area(clipped[edge])
    else:
        areas[edge] = domain.areas(cells[edge])
    lines = shapely.linestrings(segs.reshape(-1, 2), indices=np.repeat(np.arange(len(segs)), 2))
    length = shapely.length(lines)
    crossing = ~shapely.contains_properly(domain.geom, lines)
    if crossing.any():
        length[crossing] = domain.lengths(lines[crossing])
    keep = length > 0
    return clipped, areas, pairs[keep], length[keep]


def power_cells(sites: np.ndarray, domain, *, weights: np.ndarray | None = None,
                scale: float = 1000.0) -> PowerCells:
    """Return the power diagram of ``sites`` clipped to ``domain``.

    Parameters
    ----------
    sites : numpy.ndarray
        ``(n, 2)`` distinct site coordinates (a metric CRS, e.g. metres).
    domain : shapely.Geometry
        Polygonal domain in the same coordinates.
    weights : numpy.ndarray, optional
        One weight per site (squared input units); zeros (plain Voronoi) by default.
    scale : float
        Input units per internal unit (1000: metres → kilometres).

    Returns
    -------
    PowerCells
        Clipped cells, their areas and the edges shared inside the domain.

    Examples
    --------
    >>> sq = shapely.box(0, 0, 2, 2)
    >>> pc = power_cells(np.array([[0.5, 1.0], [1.5, 1.0]]), sq, scale=1.0)
    >>> pc.areas.round(6).tolist(), pc.edge_length.round(6).tolist()
    ([2.0, 2.0], [2.0])
    """
    sites, w = _check_sites(sites, weights)
    frame = _Frame(sites, scale)
    local_domain = _Domain(shapely.transform(domain, frame.to_local), TILE_KM)
    cells, pairs, segs = _raw_diagram(frame.to_local(sites), w / scale ** 2)
    cells, areas, pairs, length = _clip(cells, pairs, segs, local_domain, final=True)
    return PowerCells(cells=shapely.transform(cells, frame.to_input),
                      areas=areas * scale ** 2, edges=pairs, edge_length=length * scale)


def _laplacian(n: int, pairs: np.ndarray, coef: np.ndarray) -> sparse.csr_matrix:
    i, j = pairs[:, 0], pairs[:, 1]
    off = sparse.coo_matrix((np.concatenate([-coef, -coef]),
                             (np.concatenate([i, j]), np.concatenate([j, i]))), shape=(n, n))
    diag = np.bincount(i, coef, n) + np.bincount(j, coef, n)
    return (off + sparse.diags(diag)).tocsr()


def _newton_step(local: np.ndarray, pairs: np.ndarray, length: np.ndarray, err: np.ndarray,
                 group: np.ndarray, n_groups: int) -> np.ndarray:
    """Solve ``H δ = err`` for the group weights, H the area Laplacian between groups."""
    dist = np.linalg.norm(local[pairs[:, 0]] - local[pairs[:, 1]], axis=1)
    gp = group[pairs]
    between = gp[:, 0] != gp[:, 1]
    coef = length[between] / (2.0 * dist[between])
    hess = _laplacian(n_groups, gp[between], coef)
    n_comp, label = csgraph.connected_components(hess, directed=False)
    rhs = err.copy()
    for c in range(n_comp):
        members = label == c
        rhs[members] -= rhs[members].mean()  # area moves only within a connected group
    anchors = np.unique(label, return_index=True)[1]
    free = np.ones(n_groups, dtype=bool)
    free[anchors] = False
    delta = np.zeros(n_groups)
    if free.any():
        sub = hess[free][:, free].tocsc()
        delta[free] = spsolve(sub, rhs[free])
    return delta


def fit_power_weights(sites: np.ndarray, targets: np.ndarray, domain, *,
                      groups: np.ndarray | None = None, weights: np.ndarray | None = None,
                      tol: float = 1e-3, max_iter: int = 60, scale: float = 1000.0,
                      min_share: float = COLLAPSE_SHARE, min_step: float = MIN_STEP
                      ) -> PowerFit:
    """Fit power-diagram weights so that each clipped cell (or group of cells) has its area.

    Parameters
    ----------
    sites : numpy.ndarray
        ``(n, 2)`` distinct site coordinates in a metric CRS.
    targets : numpy.ndarray
        Target area of each cell, or of each group when ``groups`` is given (squared
        input units). They are rescaled to add up to the domain's area (the cells
        always tile the domain).
    domain : shapely.Geometry
        Polygonal domain; every site should lie in it so that no cell starts empty.
    groups : numpy.ndarray, optional
        ``n`` integer labels ``0 … m-1``: the sites of a group share one weight and
        the union of their cells is fitted to the group's target (``targets`` then
        has ``m`` entries). Between sites of one group the diagram is plain Voronoi.
    weights : numpy.ndarray, optional
        Starting weights (per site); zeros (plain Voronoi) by default.
    tol : float
        Stop when every ``|area - target| / target`` is at most this.
    max_iter : int
        Largest number of Newton steps.
    scale : float
        Input units per internal unit (1000: metres → kilometres).
    min_share : float
        A step is halved while any cell under this share of its target (of its
        group's target over the group's size) would shrink; 0 lets cells of a
        group vanish.
    min_step : float
        Shortest damped step tried; when no step down to it helps, the fit stops.

    Returns
    -------
    PowerFit
        Weights (per site), clipped diagram (per site), iterations, largest relative
        error (per group), convergence flag.

    Raises
    ------
    LayerError
        If the targets are not positive numbers, one per site (or group).

    Examples
    --------
    >>> sq = shapely.box(0, 0, 2, 2)
    >>> fit = fit_power_weights(np.array([[0.5, 1.0], [1.5, 1.0]]), np.array([1.0, 3.0]), sq,
    ...                         scale=1.0, tol=1e-9)
    >>> fit.diagram.areas.round(6).tolist()
    [1.0, 3.0]
    """
    sites, w0 = _check_sites(sites, weights)
    n = len(sites)
    group = np.arange(n) if groups is None else np.asarray(groups)
    if group.shape != (n,) or not np.issubdtype(group.dtype, np.integer) or \
            (n and (group.min() < 0 or len(np.unique(group)) != group.max() + 1)):
        raise LayerError(f"groups must be {n} integer labels 0 … m-1 with no label unused")
    m = int(group.max()) + 1 if n else 0
    targets = np.asarray(targets, dtype=float)
    if targets.shape != (m,) or not np.isfinite(targets).all() or (targets <= 0).any():
        raise LayerError(f"targets must be {m} positive numbers")
    frame = _Frame(sites, scale)
    local = frame.to_local(sites)
    local_domain = _Domain(shapely.transform(domain, frame.to_local), TILE_KM)
    total = shapely.area(local_domain.geom)
    target = targets / targets.sum() * total
    size = np.bincount(group, minlength=m)
    site_floor = min_share * target[group] / size[group]
    gw = np.zeros(m) if weights is None else np.bincount(group, w0, m) / size / scale ** 2

    def evaluate(group_w, final=False):
        cells, pairs, segs = _raw_diagram(local, group_w[group])
        return _clip(cells, pairs, segs, local_domain, final=final)

    def group_areas(site_areas):
        return np.bincount(group, site_areas, m)

    def badness(areas):
        return float(np.sqrt(np.mean(((areas - target) / target) ** 2)))

    state = evaluate(gw)
    current = badness(group_areas(state[1]))
    steps: list[float] = []
    it = 0
    while it < max_iter and m > 1:
        areas = group_areas(state[1])
        if np.max(np.abs(areas - target) / target) <= tol:
            break
        delta = _newton_step(local, state[2], state[3], target - areas, group, m)
        t = 1.0
        while t >= min_step:
            trial_w = gw + t * delta
            trial = evaluate(trial_w)
            # no cell may shrink while it is under its floor (cells already there may grow)
            collapsed = ((trial[1] < site_floor) & (trial[1] < state[1])).any()
            if not collapsed and badness(group_areas(trial[1])) < current:
                break
            t /= 2
        else:
            break
        gw, state, current = trial_w, trial, badness(group_areas(trial[1]))
        steps.append(t)
        it += 1
    state = evaluate(gw, final=True)
    areas = group_areas(state[1])
    rel = float(np.max(np.abs(areas - target) / target)) if m else 0.0
    diagram = PowerCells(cells=shapely.transform(state[0], frame.to_input),
                         areas=state[1] * scale ** 2, edges=state[2],
                         edge_length=state[3] * scale)
    log.debug("power fit: %d sites in %d groups, %d steps, worst area error %.2g",
              n, m, it, rel)
    return PowerFit(weights=gw[group] * scale ** 2, diagram=diagram, iterations=it,
                    max_rel_error=rel, converged=rel <= tol, steps=steps)
