/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_params.h: start-up of the parameter routes (api_params.c).
 */
#ifndef MOM_API_PARAMS_H
#define MOM_API_PARAMS_H

#include "api_route.h"

/*
 * Apply state_dir/parameters.json all or nothing (parameters no policy in
 * force declares are dropped with a warning); a file that does not parse
 * or validate is logged, ignored and set aside (statedir_ignore()).
 */
void api_params_restore(struct api *api);

#endif /* MOM_API_PARAMS_H */
