// PNG pictures written by hand: an Image as the bytes of a .png file, small enough to read in one
// sitting (W3C "Portable Network Graphics (PNG) Specification (Second Edition)", 2003; RFC 2083).
//
// A PNG file is an 8-byte signature and a list of chunks (§5.2, §5.3):
//
//   89 50 4E 47 0D 0A 1A 0A                     signature: "\x89PNG\r\n\x1a\n"
//   chunk = length (4 bytes, big-endian) | type (4 letters) | data | CRC-32 of type + data
//   IHDR  width (4) height (4) bit depth (1) colour type (1) compression 0, filter 0, interlace 0
//   IDAT  the rows, as one zlib stream
//   IEND  no data
//
// The rows are scanlines, each a filter byte (0: none, §9.2) then the pixels' bytes, 8 bits per
// sample. The zlib stream (RFC 1950) is a 2-byte header, deflate data, and the Adler-32 of the
// uncompressed bytes; the deflate data (RFC 1951, §3.2.4) is "stored" blocks only, each
//
//   header byte (BFINAL bit, BTYPE = 00) | LEN (2 bytes, little-endian) | NLEN = ~LEN | LEN bytes
//
// with LEN at most 65535. Nothing is compressed: these pictures are small, and a stored block is
// a format anyone can check by eye.
//
// The channels pick the colour type (§11.2.2): 1 grey (0), 2 grey + alpha (4), 3 RGB (2),
// 4 RGBA (6). Values are clamped to [0, 1] (so 1.0000001 from rounding is white) and rounded to
// 8 bits: round(255 v).
#pragma once

#include <cstdint>
#include <string>

#include "train/io/image.h"

namespace attn {

// The bytes of a PNG file showing `image` (1 to 4 channels, at least 1x1 pixels, every pixel a
// number). Throws naming what is wrong otherwise.
std::string encode_png(const Image& image);

// "data:image/png;base64,..." (RFC 2397): the PNG inline, e.g. as an SVG <image href>.
std::string png_data_uri(const Image& image);

// RFC 4648 §4: every 3 bytes as 4 characters of A-Z a-z 0-9 + /, padded with '='.
std::string base64(const std::string& bytes);

// CRC-32 as PNG uses it (§5.5; the polynomial of ISO 3309 / ITU-T V.42, reflected: 0xEDB88320,
// starting from and finally inverted by 0xFFFFFFFF). crc32("123456789") = 0xCBF43926.
uint32_t crc32(const std::string& bytes);

// Adler-32 (RFC 1950 §8.2): a = 1 + sum of the bytes, b = sum of the a's, both mod 65521;
// the checksum is b * 65536 + a. adler32("Wikipedia") = 0x11E60398.
uint32_t adler32(const std::string& bytes);

}  // namespace attn
