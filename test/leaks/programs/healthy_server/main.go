// Healthy control: a fixed pool of workers ranges over a long-lived jobs channel, each job
// reads into a 1 MiB buffer but copies the header out, and a bounded map is reused. Lots of
// allocation, nothing retained: a leak detector must stay quiet.
package main

import (
	"time"

	"gomemleaks/harness"
)

type packet struct {
	header [16]byte
}

var recent = map[int]packet{}

func readPacket(seq int) packet {
	buf := make([]byte, 1<<20)
	buf[0] = byte(seq)
	var p packet
	copy(p.header[:], buf[:16])
	return p
}

func worker(jobs <-chan int, done chan<- int) {
	for seq := range jobs {
		p := readPacket(seq)
		done <- int(p.header[0])
	}
}

func main() {
	r := harness.Start(harness.Options{})
	r.Gauge("recent_len", func() float64 { return float64(len(recent)) })
	jobs := make(chan int)
	done := make(chan int, 64)
	for w := 0; w < 8; w++ {
		go worker(jobs, done)
	}
	seq := 0
	for round := 1; round <= 2; round++ {
		for i := 0; i < 150; i++ {
			seq++
			jobs <- seq
			<-done
			recent[seq%1000] = packet{}
			if i%10 == 0 {
				time.Sleep(3 * time.Millisecond)
			}
		}
		r.Snapshot()
	}
	r.Finish()
}
