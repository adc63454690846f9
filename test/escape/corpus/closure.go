package p

var fsink func() int

func counter() func() int {
	n := 0
	return func() int {
		n++
		return n
	}
}

func byValue() int {
	x := 1
	f := func() int { return x }
	return f()
}

func storeClosure() {
	y := 2
	fsink = func() int { return y }
}

func callNow(p *int) int {
	return func() int { return *p }()
}

func goroutine(ch chan int) {
	v := 5
	go func() {
		ch <- v
	}()
}

func deferred() (r int) {
	defer func() { r++ }()
	return 1
}
