/** The admin JSON API under /admin: bearer-token auth and endpoint, delivery, dead-letter and publish operations. */
@NullMarked
package dev.relay.app.admin;

import org.jspecify.annotations.NullMarked;
