"""RowsModel.sort: big tables sort in the model (one cell per row), not through a
QSortFilterProxyModel's data()-per-comparison sort; a forwarding proxy still filters."""
from __future__ import annotations

from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtWidgets import QTableView

from widgets.rows_model import Cell, ForwardingSortProxy, RowsModel


def _model(calls: list | None = None) -> RowsModel:
    def cell(row: tuple, c: int) -> Cell:
        if calls is not None:
            calls.append((row, c))
        name, value = row
        return Cell(name) if c == 0 else Cell("" if value is None else str(value), sort=value)
    return RowsModel(lambda: ["name", "value"], cell)


def _texts(model: RowsModel, c: int) -> list[str]:
    return [model.cell(r, c).text for r in range(model.rowCount())]


def test_rows_model_sorts_numbers_as_numbers_texts_after_nan_last_and_keeps_the_order():
    m = _model()
    m.set_rows(enumerate([("a", 10), ("b", 9.5), ("c", "spare"), ("d", float("nan")),
                          ("e", -1), ("f", 10)]))
    m.sort(1)
    assert _texts(m, 0) == ["e", "b", "a", "f", "c", "d"]   # numbers, texts, NaN; a before f
    assert [m.row_of(k) for k in m.keys()] == list(range(6))
    m.sort(1, Qt.SortOrder.DescendingOrder)
    assert _texts(m, 0)[0] == "d" and m.sort_column == 1
    m.set_rows(enumerate([("x", 3), ("y", 1), ("z", 2)]))      # a reset keeps the order
    assert _texts(m, 0) == ["x", "z", "y"]
    m.sort(-1)                                                   # off: the order given
    m.set_rows(enumerate([("x", 3), ("y", 1), ("z", 2)]))
    assert _texts(m, 0) == ["x", "y", "z"] and m.sort_column == -1


def test_rows_model_sort_asks_one_cell_per_row_and_moves_persistent_indexes():
    calls: list = []
    m = _model(calls)
    m.set_rows(enumerate([(f"m{i:03d}", (i * 37) % 101) for i in range(400)]))
    held = QPersistentModelIndex(m.index(0, 1))           # a selection, say: row "m000"
    calls.clear()
    m.sort(1)
    assert len(calls) == 400
    assert held.row() == 0 and m.cell(held.row(), 0).text == "m000"   # value 0: first
    m.sort(0, Qt.SortOrder.DescendingOrder)
    assert m.cell(held.row(), 0).text == "m000" and held.row() == 399


def test_forwarding_proxy_sorts_in_the_model_and_still_filters(qtbot):
    m = _model()
    m.set_rows(enumerate([("b", 2), ("a", 3), ("c", 1)]))
    proxy = ForwardingSortProxy()
    proxy.setSourceModel(m)
    proxy.setFilterKeyColumn(0)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(1, Qt.SortOrder.AscendingOrder)            # a header click
    assert [proxy.index(r, 0).data() for r in range(3)] == ["c", "b", "a"]
    assert m.sort_column == 1 and proxy.sortColumn() == -1      # ordered by the model
    proxy.setFilterFixedString("a")
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["a"]
    proxy.setFilterFixedString("")
    m.set_rows(enumerate([("y", 5), ("x", 4)]))
    assert [proxy.index(r, 0).data() for r in range(2)] == ["x", "y"]


def test_fit_columns_sizes_to_the_widest_cell_of_every_row_and_the_header(qtbot):
    from widgets.rows_model import fit_columns

    rows = [(f"m{i:03d}", i) for i in range(400)]
    rows[300] = ("a much longer module name far down the table", 123456789)
    m = _model()
    m.set_rows(enumerate(rows))
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(m)
    view.resize(900, 300)
    view.show()
    fit_columns(view, m)
    header = view.horizontalHeader()
    header.setResizeContentsPrecision(-1)            # Qt's own answer over every row
    for c in range(2):
        assert header.sectionSize(c) == max(view.sizeHintForColumn(c),
                                            header.sectionSizeHint(c)) > 0
    assert header.sectionSize(0) > header.sectionSize(1)


def test_measurement_table_columns_fit_every_row_after_each_result(qtbot):
    """The measurement table sizes its columns per result from every row's text (not by
    ResizeToContents asking every cell at each paint): a long limit deep in the list
    is not cut."""
    from app.core.measurement import Limits, Measurement
    from widgets.measurement_table import COL_LIMITS, COL_VALUE, MeasurementTable

    table = MeasurementTable()
    qtbot.addWidget(table)
    table.resize(900, 400)
    table.show()
    rows = [Measurement.judged(f"m.{i}", float(i), "HU", Limits(low=-4, high=4))
            for i in range(80)]
    rows[70] = Measurement.judged("m.long", 123456.789, "HU",
                                  Limits(low=-123456.5, high=98765.25, warn_high=90000.0))
    table.set_measurements(rows)
    header = table.horizontalHeader()
    header.setResizeContentsPrecision(-1)
    for c in (COL_VALUE, COL_LIMITS):
        assert header.sectionSize(c) == max(table.sizeHintForColumn(c),
                                            header.sectionSizeHint(c))
    narrow = header.sectionSize(COL_LIMITS)
    table.set_measurements(rows[:3])
    assert header.sectionSize(COL_LIMITS) < narrow          # follows the new result
