package p

var sink *int

func f() { x := 1; sink = &x }

func g(p *int) *int { return p }

type T struct{ a, b *int }

func h(q *int) {
	t := T{a: q}
	sink = t.a
}

func k() func() int {
	y := 2
	return func() int { y++; return y }
}

func m(s []int) interface{} { return s }
