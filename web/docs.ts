/**
 * The API reference page's script (src/routes/api-docs.ts): Swagger UI, bundled with its styles from swagger-ui-dist,
 * rendering the worker's /openapi.json. The validator badge is off: it would send the document to a third party.
 */
import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';

SwaggerUIBundle({ url: '/openapi.json', dom_id: '#api-reference', validatorUrl: null, deepLinking: true });
