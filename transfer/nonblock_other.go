//go:build !unix

package transfer

// oNonblock is not needed where named pipes are not files.
const oNonblock = 0
