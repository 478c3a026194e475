/* maps.c of apitest: the map half of the app (a second translation unit). */
#ifndef APITEST_MAPS_H
#define APITEST_MAPS_H

struct apitest_bpf;

/* Adds and removes entries before any event. 0 or a negative errno. */
int maps_prepare(struct apitest_bpf *skel);
/* One JSON line per entry of `counts`, then the xdp packet count. */
int maps_dump(struct apitest_bpf *skel);

#endif
