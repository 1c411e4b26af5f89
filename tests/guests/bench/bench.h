/* The bench guest's parts. */
#ifndef BENCH_H
#define BENCH_H

/* latency.c: IPI and TSC-deadline timer latencies (two tests). */
void latency_bench(void);

#endif
