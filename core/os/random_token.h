#pragma once

#include <string>
#include <system_error>

namespace ferry {

// A new share token: 128 bits from the OS's CSPRNG (getrandom, arc4random or
// BCryptGenRandom), base64url without padding (22 characters).
std::string newShareToken();

// Fills buf with cryptographically secure random bytes.
std::error_code secureRandom(void* buf, std::size_t len) noexcept;

}  // namespace ferry
