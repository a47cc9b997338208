"""Power diagrams and the weight fit, on tiny hand-made fixtures with known answers."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo._errors import LayerError
from geo.layer.power import fit_power_weights, power_cells

SQUARE = shapely.box(0, 0, 2000, 2000)  # metres
FOUR = np.array([[500.0, 500.0], [1500.0, 500.0], [500.0, 1500.0], [1500.0, 1500.0]])


def test_equal_weights_give_the_quadrants_of_a_square():
    pc = power_cells(FOUR, SQUARE)
    assert pc.areas == pytest.approx([1e6] * 4)
    assert sorted(map(tuple, pc.edges)) == [(0, 1), (0, 2), (1, 3), (2, 3)]
    assert pc.edge_length == pytest.approx([1000.0] * 4)
    assert shapely.equals(pc.cells[0], shapely.box(0, 0, 1000, 1000))


def test_equal_weights_equal_the_voronoi_diagram():
    rng = np.random.default_rng(7)
    sites = rng.uniform(0, 2000, (40, 2))
    voronoi = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(sites), extend_to=SQUARE, ordered=True))
    voronoi = shapely.intersection(voronoi, SQUARE)
    pc = power_cells(sites, SQUARE)
    assert shapely.area(shapely.symmetric_difference(voronoi, pc.cells)).max() < 1e-6
    assert pc.areas.sum() == pytest.approx(4e6)


def test_a_weight_moves_the_bisector_by_w_over_2d():
    # Two sites 1 km apart: the bisector moves by (w1 - w2) / (2 d) towards site 2.
    sites = np.array([[500.0, 1000.0], [1500.0, 1000.0]])
    pc = power_cells(sites, SQUARE, weights=np.array([200_000.0, 0.0]))
    assert pc.areas[0] == pytest.approx((1000 + 100) * 2000)


def test_fit_four_sites_to_target_areas():
    fit = fit_power_weights(FOUR, np.array([1.0, 2.0, 3.0, 4.0]), SQUARE, tol=1e-8)
    assert fit.converged
    assert fit.diagram.areas == pytest.approx([0.4e6, 0.8e6, 1.2e6, 1.6e6], rel=1e-7)
    assert fit.diagram.areas.sum() == pytest.approx(4e6)
    assert (shapely.area(fit.diagram.cells) > 0).all()


def test_newton_converges_quadratically_on_random_sites():
    rng = np.random.default_rng(0)
    sites = rng.uniform(0, 2000, (60, 2))
    targets = rng.uniform(1, 5, 60)
    fit = fit_power_weights(sites, targets, SQUARE, tol=1e-10)
    assert fit.converged and fit.iterations <= 10
    assert fit.steps[-2:] == [1.0, 1.0]  # full Newton steps at the end
    share = targets / targets.sum() * 4e6
    assert np.abs(fit.diagram.areas / share - 1).max() < 1e-10


def test_fit_in_a_non_convex_domain():
    ell = shapely.difference(SQUARE, shapely.box(1000, 1000, 2000, 2000))  # an L, 3 km²
    sites = np.array([[300.0, 300.0], [1500.0, 500.0], [500.0, 1500.0], [700.0, 700.0]])
    fit = fit_power_weights(sites, np.array([1.0, 1.0, 1.0, 1.0]), ell, tol=1e-8)
    assert fit.converged
    assert fit.diagram.areas == pytest.approx([0.75e6] * 4, rel=1e-7)
    union = shapely.union_all(fit.diagram.cells)
    assert shapely.area(shapely.symmetric_difference(union, ell)) < 1e-3


def test_grouped_sites_share_one_weight():
    # Groups {0, 1} and {2, 3}: left and right halves by default; fit them to 1:3.
    sites = np.array([[500.0, 500.0], [500.0, 1500.0], [1500.0, 500.0], [1500.0, 1500.0]])
    fit = fit_power_weights(sites, np.array([1.0, 3.0]), SQUARE, groups=np.array([0, 0, 1, 1]),
                            tol=1e-8)
    assert fit.converged
    assert fit.diagram.areas[:2].sum() == pytest.approx(1e6, rel=1e-7)
    assert fit.weights[0] == fit.weights[1] and fit.weights[2] == fit.weights[3]
    # Within a group the split is plain Voronoi: equal halves here.
    assert fit.diagram.areas[0] == pytest.approx(fit.diagram.areas[1], rel=1e-9)


def test_bad_input_is_refused():
    with pytest.raises(LayerError, match="distinct"):
        power_cells(np.array([[0.0, 0.0], [0.0, 0.0]]), SQUARE)
    with pytest.raises(LayerError, match="targets must be 4 positive numbers"):
        fit_power_weights(FOUR, np.array([1.0, 0.0, 1.0, 1.0]), SQUARE)
    with pytest.raises(LayerError, match=r"sites must be an \(n, 2\) array"):
        power_cells(np.zeros((3, 3)), SQUARE)
    with pytest.raises(LayerError, match="groups must be"):
        fit_power_weights(FOUR, np.array([1.0, 1.0]), SQUARE, groups=np.array([0, 0, 2, 2]))
