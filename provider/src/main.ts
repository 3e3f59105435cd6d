// Entry point of terraform-provider-keyplane: Terraform and OpenTofu start this with no arguments.
import { keyplaneProvider } from './keyplane/provider';
import { serve } from './plugin/server';

void serve(keyplaneProvider);
