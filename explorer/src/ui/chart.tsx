/** A uPlot chart: line, step or bar series over a numeric (or time) x axis, redrawn when its data change. */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  /** Bars instead of a line; points only with `points`. */
  bars?: boolean;
  points?: boolean;
  stepped?: boolean;
}

/**
 * The x range: the data's, with half a minute on each side for bars (a bar a minute stays whole),
 * and a minute around points that all share one time (uPlot would spread them over years).
 */
function spanOf(min: number, max: number, time: boolean, bars: boolean): uPlot.Range.MinMax {
  if (!time) return [min, max];
  if (bars) return [min - 30, max + 30];
  return max > min ? [min, max] : [min - 30, max + 30];
}

export function Chart({
  x,
  series,
  time = true,
  height = 220,
  yLabel,
  xLabels,
  testid,
}: {
  x: number[];
  series: Series[];
  time?: boolean;
  height?: number;
  yLabel?: string;
  /** Categories instead of numbers on the x axis: x[i] is i, labelled xLabels[i]. */
  xLabels?: string[];
  testid?: string;
}) {
  const element = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);

  useEffect(() => {
    const target = element.current;
    if (!target) return;
    const options: uPlot.Options = {
      width: Math.max(320, target.clientWidth || 640),
      height,
      scales: {
        x: xLabels
          ? { time: false, range: [-0.5, xLabels.length - 0.5] }
          : {
              time,
              range: (_u, min, max) =>
                spanOf(
                  min,
                  max,
                  time,
                  series.some((s) => s.bars),
                ),
            },
      },
      legend: { show: !xLabels },
      axes: [
        xLabels
          ? { splits: () => xLabels.map((_, i) => i), values: (_: uPlot, splits: number[]) => splits.map((i) => xLabels[i] ?? "") }
          : {},
        { label: yLabel, size: 60 },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: s.bars ? `${s.color}99` : undefined,
          width: s.points ? 0 : 2,
          points: { show: s.points ?? false, size: 6, fill: s.color },
          paths: s.bars ? uPlot.paths.bars!({ size: [0.6, 40] }) : s.stepped ? uPlot.paths.stepped!({ align: 1 }) : undefined,
        })),
      ],
    };
    plot.current = new uPlot(options, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, target);
    const resize = () => plot.current?.setSize({ width: Math.max(320, target.clientWidth), height });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.current?.destroy();
      plot.current = undefined;
    };
    // The chart is rebuilt when its shape changes; new data alone go through setData below.
  }, [series.length, time, height, xLabels?.length]);

  useEffect(() => {
    plot.current?.setData([x, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [x, series]);

  return <div class="chart" ref={element} data-testid={testid} />;
}
