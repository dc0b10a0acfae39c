r"""Side-by-side quality of several models from their evaluation reports.

  python -m benchmarks.compare_reports NAME=DIR/report.json [NAME=...]

Each report is what ``python -m magenta_style.evaluate`` writes. Prints, per
model and style, the style-loss ratio (pastiche / photo; lower is more
stylized) and the content loss (lower keeps more of the photo), with the
content loss of the same network untrained and of an unrelated photo for
scale.
"""

import json
import statistics
import sys


def load(argument: str) -> tuple[str, dict]:
    """``NAME=PATH`` → (NAME, the parsed report)."""
    name, _, path = argument.partition("=")
    if not path:
        sys.exit(f"expected NAME=PATH, got '{argument}'")
    try:
        with open(path) as f:
            return name, json.load(f)
    except (OSError, ValueError) as error:
        sys.exit(f"cannot read report {path}: {error}")


def main(arguments: list[str]) -> None:
    if not arguments:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    reports = [load(a) for a in arguments]
    styles = [s["style"] for s in reports[0][1]["styles"]]
    width = max(len(name) for name, _ in reports)
    print(f"{'model':<{width}}  " + "  ".join(f"{s:>22}" for s in styles)
          + "  mean ratio  mean content  untrained content")
    print(f"{'':<{width}}  " + "  ".join(f"{'ratio  content':>22}"
                                           for _ in styles))
    for name, report in reports:
        by_style = {s["style"]: s for s in report["styles"]}
        ratios = [by_style[s]["pastiche_style"] / by_style[s]["photo_style"]
                  for s in styles]
        contents = [by_style[s]["pastiche_content"] for s in styles]
        untrained = statistics.mean(by_style[s]["untrained_content"]
                                    for s in styles)
        cells = [f"{r:>13.3f}  {c:>7.2f}" for r, c in zip(ratios, contents)]
        print(f"{name:<{width}}  " + "  ".join(cells) +
              f"  {statistics.mean(ratios):>10.3f}  "
              f"{statistics.mean(contents):>12.2f}  {untrained:>17.2f}")
    first = reports[0][1]
    print(f"content loss of an unrelated photo "
          f"{first['styles'][0]['unrelated_content']:.2f}; photos at "
          f"{first['size']} px")


if __name__ == "__main__":
    main(sys.argv[1:])
