"""Every reliability proof prints its figure at the end of the run, with or without -s.

A test appends its figure to the `figures` fixture; the figure is attached to the test's report
(so it also reaches a JUnit XML file and pytest-xdist's controller) and printed in a
"reliability figures" section of the terminal summary, failed or not.
"""

import pytest

_FIGURES: list[str] = []


@pytest.fixture
def figures(request):
    lines: list[str] = []
    yield lines
    for line in lines:
        request.node.user_properties.append(("figure", line))


def pytest_runtest_logreport(report):
    if report.when == "teardown":
        _FIGURES.extend(value for name, value in report.user_properties if name == "figure")


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("reliability figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
