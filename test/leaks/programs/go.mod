module gomemleaks

go 1.19
