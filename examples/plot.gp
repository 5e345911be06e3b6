# plot.gp - a series, rnnfilter's predictions with their interval, and the
# items whose anomaly score reached a threshold.  Input: the output of
#   rnnfilter -q --append --column value FILE    (columns: timestamp, value,
#   prediction, forecast, residual, anomaly, lo, hi)
# Usage:
#   gnuplot -e "in='out.csv'; out='plot.png'; thr=0.999; name='title'" examples/plot.gp
# first=N plots from item N (0-based) to the end; the x axis stays the item.
if (!exists("in")) in = "out.csv"
if (!exists("first")) first = 0
f1 = first + 1
if (!exists("out")) out = "plot.png"
if (!exists("thr")) thr = 0.999
set terminal pngcairo size 1200,700 font ",10" noenhanced
set output out
set datafile separator ","
set key top right opaque box
set autoscale xfix
set multiplot layout 2,1 margins 0.07,0.98,0.08,0.95 spacing 0,0.06
if (!exists("name")) name = in
set title "rnnfilter on ".name
set offsets 0, 0, graph 0.18, 0
set ylabel "value"
plot in every ::f1 using ($0 + first):7:8 with filledcurves lc rgb "#cfe3f5" \
	title sprintf("prediction interval"), \
     '' every ::f1 using ($0 + first):2 with lines lc rgb "#202020" lw 2.5 title "value", \
     '' every ::f1 using ($0 + first):3 with lines lc rgb "#ff7f0e" lw 1 title "prediction", \
     '' every ::f1 using ($0 + first):(strcol(6) ne "" && $6 >= thr ? $2 : 1/0) \
	with points pt 7 ps 0.8 lc rgb "#d62728" \
	title sprintf("anomaly >= %g", thr)
set title ""
set offsets 0, 0, 0, 0
# the score in decades of its tail probability: -log10(1 - score), so that
# 0.999 and 0.99999 are 3 and 5 (0 for the items the hold-off mutes)
set ylabel "-log10(1 - anomaly)"
set xlabel "item"
set yrange [0:*]
plot in every ::f1 using ($0 + first):(strcol(6) ne "" ? -log10(1 - $6 + 1e-17) : 1/0) \
	with impulses lc rgb "#555555" title "anomaly", \
     -log10(1 - thr) with lines dt 2 lc rgb "#d62728" title sprintf("%g", thr)
unset multiplot
