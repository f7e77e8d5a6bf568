#pragma once
#define PROCKIT_VERSION "0.1.0"
