package p

import "fmt"

type Stringer interface{ String() string }

type Point struct{ X, Y int }

func (p Point) String() string { return "pt" }

var sink interface{}

func printIt(n int, s string) {
	fmt.Println(n, s)
}

func box(p Point) Stringer {
	return p
}

func store(v int) {
	sink = v
}

func ptrBox(p *Point) interface{} {
	return p
}

func constBox() {
	sink = 7
}

func sprintf(x float64) string {
	return fmt.Sprintf("%.2f", x)
}

func describe(s Stringer) string {
	return s.String()
}
