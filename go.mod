module github.com/tillhq/till

go 1.26.8
