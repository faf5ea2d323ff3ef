// SPDX-License-Identifier: MIT
// hixie76/hixie76.hpp — umbrella header: the whole library in one include.
#ifndef HIXIE76_HIXIE76_HPP
#define HIXIE76_HIXIE76_HPP

#include "hixie76/client.hpp"
#include "hixie76/error.hpp"
#include "hixie76/frame.hpp"
#include "hixie76/handshake.hpp"
#include "hixie76/head.hpp"
#include "hixie76/token.hpp"
#include "hixie76/version.hpp"

#endif // HIXIE76_HIXIE76_HPP
